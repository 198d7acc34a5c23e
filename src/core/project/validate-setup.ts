// What a setup cannot know from its schema: whether its editable globs match the project's files and
// whether the programs its commands start exist here. Checked when the setup is saved (the studio's
// validateConfig and saveConfig) rather than at Start, where the first sign used to be a baseline that exited
// with 127 or an agent that could change nothing. Each problem names its field and says what to do.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { FieldError, ProjectConfig } from '../../shared/config.js';
import { editableProblem } from './editable-check.js';
import { linkedInputProblem } from './linked-inputs.js';

/** Where to get a program the autoresearch layouts prefill, for the "is not installed" message. */
const INSTALL_HINT: Readonly<Record<string, string>> = {
  uv: 'https://docs.astral.sh/uv/',
  pixi: 'https://pixi.sh/',
  poetry: 'https://python-poetry.org/docs/#installation',
};

/** Shell words that start no program of their own (or change what follows): the check cannot judge these. */
const SHELL_WORDS = new Set(['cd', 'exec', 'env', 'time', 'nice', 'nohup', 'if', 'for', 'while', 'until', 'case', '!', '{', '(', '.', 'source', 'export', 'set', 'eval', 'command', 'builtin']);

/**
 * The program a shell command line starts: its first word after `NAME=value` assignments, unquoted; null when
 * the line starts with shell syntax this check does not follow (a subshell, a variable, a builtin).
 */
export function commandProgram(command: string): string | null {
  const words = command.trim().match(/(?:[^\s'"]+|'[^']*'|"[^"]*")+/g) ?? [];
  for (const word of words) {
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) continue;
    const bare = word.replace(/'([^']*)'|"([^"]*)"/g, '$1$2');
    if (!bare || /[$`(){};&|<>*?[\]~]/.test(bare) || SHELL_WORDS.has(bare)) return null;
    return bare;
  }
  return null;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether `program` would start: a path relative to the project (it runs in the project's worktree), or a name on PATH. */
export function programFound(program: string, projectDir: string, pathVar: string): boolean {
  if (program.includes('/')) {
    const file = path.resolve(projectDir, program);
    try {
      return statSync(file).isFile();
    } catch {
      return false;
    }
  }
  return pathVar.split(path.delimiter).some((dir) => dir && isExecutableFile(path.join(dir, program)));
}

function programProblem(command: string | null, what: string, projectDir: string, pathVar: string): string | null {
  const program = command ? commandProgram(command) : null;
  if (!program || programFound(program, projectDir, pathVar)) return null;
  if (program.includes('/')) return `${program} does not exist in the project: create it, or fix the path in the ${what}`;
  const where = INSTALL_HINT[program];
  return `${program} is not installed: install it${where ? ` (${where})` : ' (it is not on PATH)'} or change the ${what}`;
}

/**
 * Problems of a valid config on this machine, by field path; [] when there is none. The studio calls it on
 * every validation and save of the setup form; the CLI may call it before it writes a config.
 */
export async function validateSetup(projectDir: string, config: ProjectConfig, env: NodeJS.ProcessEnv): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  for (const [i, glob] of config.files.editable.entries()) {
    // A check that cannot run (git trouble) adds no field error here; starting the run checks the files again.
    const problem = await editableProblem(projectDir, [glob]).catch(() => null);
    if (problem) errors.push({ path: `files.editable.${i}`, message: problem });
  }
  for (const [i, rel] of config.files.linked.entries()) {
    const problem = await linkedInputProblem(projectDir, rel);
    if (problem) errors.push({ path: `files.linked.${i}`, message: problem.replace(/^files\.linked: /, '') });
  }
  // Commands run here only on local slots; an SSH host or a Slurm node has a PATH of its own.
  if (config.slots.some((s) => !s.executor || s.executor.kind === 'local')) {
    const pathVar = config.run.env.PATH ?? env.PATH ?? '';
    const commands: [string, string | null, string][] = [
      ['run.command', config.run.command, 'run command'],
      ['run.setup', config.run.setup, 'setup command'],
      ['acceptance.guardCommand', config.acceptance.guardCommand, 'guard command'],
    ];
    for (const [field, command, what] of commands) {
      const problem = programProblem(command, what, projectDir, pathVar);
      if (problem) errors.push({ path: field, message: problem });
    }
  }
  return errors;
}
