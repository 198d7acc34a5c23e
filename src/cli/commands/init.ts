import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { describeConfigErrors, parseConfig, type MetricExtraction, type ProjectConfigInput } from '../../shared/config.js';
import { gitInit } from '../../core/git/init.js';
import { repoRoot } from '../../core/git/repo-root.js';
import { loadConfig, saveConfig } from '../../core/project/config-file.js';
import { suggestConfig } from '../../core/project/detect-layout.js';
import { detectProjectSeed } from '../../core/project/detect-seed.js';
import { programTemplate } from '../../core/project/program-template.js';
import { projectPaths } from '../../core/project/paths.js';
import { assertProjectDir } from '../../core/project/project-info.js';
import { dataDir } from '../../core/gpu/lease.js';
import { readTrust, trustOwnSave } from '../../core/project/trust.js';
import { parseCommandArgs, numberOption } from '../args.js';
import { shownPath } from '../format.js';
import { CliError } from '../io.js';
import type { Command } from './index.js';
import { checkSeedConstant, chooseSeed, parseSeedFlag, terminalAsk } from './init-seed.js';

const USAGE = `Usage: autoresearch init [DIR] [options]

Writes DIR/.autoresearch/config.json (and program.md if absent). The autoresearch layout (train.py,
prepare.py) is recognised and filled in; otherwise, or to override, use:
  --run CMD              the command that runs one experiment, e.g. "python3 train.py"
  --metric NAME          the metric the command prints, e.g. val_bpb
  --goal min|max         lower or higher is better (required with --metric)
  --editable GLOB        a file the agent may edit (repeatable)
  --protected GLOB       a file that must stay unchanged (repeatable)
  --budget SECONDS       time budget per experiment (AUTORESEARCH_TIME_BUDGET)
  --timeout SECONDS      hard limit per experiment (default 2 x budget)
  --extract FORM         line | metric-line | regex:PATTERN | json:FILE:KEY
  --also NAME,...        secondary metrics to record with each experiment, e.g. training_seconds,num_steps
  --memory NAME          the metric holding peak memory in MB (results.tsv's memory_gb); "none" for none
  --seed FORM            how the run varies the random seed: env:NAME (the script reads $NAME), arg:--FLAG
                         (it parses --FLAG N), constant:FILE:NAME (NAME = N in an editable file), or none.
                         Without it, init detects the setting: at a terminal it asks; otherwise it prints the
                         proposal and leaves the seed undecided
  --git-init             make DIR a git repository (with a first commit) if it is not one
  --force                overwrite an existing config`;

export function parseExtract(value: string): MetricExtraction {
  if (value === 'line') return { kind: 'line' };
  if (value === 'metric-line') return { kind: 'metric-line' };
  if (value.startsWith('regex:')) return { kind: 'regex', pattern: value.slice('regex:'.length) };
  if (value.startsWith('json:')) {
    const rest = value.slice('json:'.length);
    const at = rest.lastIndexOf(':');
    if (at <= 0 || at === rest.length - 1) throw new CliError(`--extract json needs a file and a key: json:FILE:KEY (e.g. json:metrics.json:val.loss).`);
    return { kind: 'json', file: rest.slice(0, at), key: rest.slice(at + 1) };
  }
  throw new CliError(`--extract must be line, metric-line, regex:PATTERN or json:FILE:KEY (got "${value}").`);
}

export const initCommand: Command = {
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        run: { type: 'string' },
        metric: { type: 'string' },
        goal: { type: 'string' },
        editable: { type: 'string', multiple: true },
        protected: { type: 'string', multiple: true },
        budget: { type: 'string' },
        timeout: { type: 'string' },
        extract: { type: 'string' },
        also: { type: 'string', multiple: true },
        memory: { type: 'string' },
        seed: { type: 'string' },
        'git-init': { type: 'boolean' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      USAGE,
    );
    if (values.help) {
      io.out(USAGE + '\n');
      return 0;
    }
    const dir = await assertProjectDir(path.resolve(io.cwd, positionals[0] ?? '.')).catch((err: Error) => {
      throw new CliError(err.message);
    });
    const existing = await loadConfig(dir);
    if (existing.state !== 'missing' && !values.force) {
      throw new CliError(`${projectPaths(dir).config} already exists. Edit it (or use the app's setup form), or pass --force to overwrite it.`);
    }
    const root = await repoRoot(dir);
    if (root === null && !values['git-init']) {
      throw new CliError(`${dir} is not a git repository. The loop commits every experiment, so it needs one. Pass --git-init to create it (with a first commit of your files), or run \`git init\` yourself.`);
    }
    if (values.goal !== undefined && values.goal !== 'min' && values.goal !== 'max') {
      throw new CliError(`--goal must be min (lower is better) or max (higher is better), got "${String(values.goal)}".`);
    }
    if (values.metric !== undefined && values.goal === undefined) {
      throw new CliError(`--metric needs --goal min|max: say whether lower or higher ${String(values.metric)} is better.`);
    }

    // Checked before anything is written: a mistyped --seed leaves the folder as it was.
    const seedFlag = typeof values.seed === 'string' ? parseSeedFlag(values.seed) : null;
    if (seedFlag) await checkSeedConstant(dir, seedFlag);

    const { layout, suggested } = await suggestConfig(dir);
    const input: ProjectConfigInput = structuredClone(suggested);
    if (typeof values.run === 'string') input.run = { ...input.run, command: values.run };
    if (typeof values.metric === 'string') input.metric = { ...input.metric, name: values.metric, direction: values.goal as 'min' | 'max' };
    else if (values.goal) input.metric = { ...input.metric, direction: values.goal as 'min' | 'max' };
    if (Array.isArray(values.editable)) input.files = { ...input.files, editable: values.editable };
    if (Array.isArray(values.protected)) input.files = { ...input.files, protected: values.protected };
    const budget = numberOption(values.budget, '--budget');
    const timeout = numberOption(values.timeout, '--timeout');
    if (budget !== undefined) input.budget = { ...input.budget, seconds: budget, timeoutSeconds: timeout ?? null };
    else if (timeout !== undefined) input.budget = { ...input.budget, timeoutSeconds: timeout };
    if (typeof values.extract === 'string') input.metric = { ...input.metric, extract: parseExtract(values.extract) };
    if (Array.isArray(values.also)) {
      const names = values.also.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
      input.metric = { ...input.metric, secondary: names };
    }
    if (typeof values.memory === 'string') {
      const memory = values.memory.trim();
      input.metric = { ...input.metric, memoryMb: memory === '' || memory === 'none' ? null : memory };
    }

    const parsed = parseConfig(input);
    if (!parsed.ok) {
      const hint = layout === 'generic' ? '\n\nThis folder is not in the autoresearch layout, so say how to run it, e.g.:\n  autoresearch init --run "python3 bench.py" --metric time_ms --goal min --editable bench.py' : '';
      throw new CliError(`The config would be invalid:\n${describeConfigErrors(parsed.errors)}${hint}`);
    }
    if (seedFlag?.kind === 'constant' && !picomatch(parsed.config.files.editable, { dot: true })(seedFlag.file)) {
      throw new CliError(`--seed constant:${seedFlag.file}:${seedFlag.name}: ${seedFlag.file} is not an editable file, and the seed constant must be in one (the run sets it in its copy); add --editable ${seedFlag.file} or name another file.`);
    }
    const detection = await detectProjectSeed(dir, { editable: parsed.config.files.editable, context: parsed.config.files.context, command: parsed.config.run.command });
    const seedChoice = await chooseSeed(detection, seedFlag, terminalAsk());
    const config = { ...parsed.config, seed: seedChoice.seed };
    for (const glob of config.files.editable) {
      if (!/[*?[{]/.test(glob) && !(await access(path.join(dir, glob)).then(() => true, () => false))) {
        io.err(`warning: the editable file ${glob} does not exist yet in ${dir}.\n`);
      }
    }
    const trustBefore = await readTrust(dataDir(io.env), dir);
    await saveConfig(dir, config);
    // The user authored these commands here, so they are trusted; git config they did not write is not.
    const trust = await trustOwnSave(dataDir(io.env), dir, trustBefore);
    const programFile = projectPaths(dir).program;
    const hasProgram = await access(programFile).then(() => true, () => false);
    if (!hasProgram) await writeFile(programFile, programTemplate(config));
    if (root === null) await gitInit(dir);

    io.out(
      [
        `Configured ${dir} (${layout === 'autoresearch' ? 'autoresearch layout detected' : 'generic project'}):`,
        `  run       ${config.run.command}`,
        `  metric    ${config.metric.name} (${config.metric.direction === 'min' ? 'lower' : 'higher'} is better, ${config.metric.extract.kind})`,
        `  also      ${config.metric.secondary.join(', ') || '(none)'}; memory ${config.metric.memoryMb ?? '(none)'}`,
        `  editable  ${config.files.editable.join(', ')}`,
        `  protected ${config.files.protected.join(', ') || '(none)'}`,
        `  budget    ${config.budget.seconds} s, timeout ${config.budget.timeoutSeconds ?? config.budget.seconds * 2} s`,
        ...seedChoice.lines,
        hasProgram ? '  program.md kept as it is' : '  program.md written from the template: edit it to instruct the agent',
        root === null ? '  git repository created with a first commit' : '',
        trust.state === 'trusted' ? '' : `  not trusted yet: the repository's git config names programs; review with \`autoresearch trust ${shownPath(io.cwd, dir)}\``,
        '',
        `Next: autoresearch run ${shownPath(io.cwd, dir)}`,
        '',
      ]
        .filter((l, i, all) => l !== '' || all[i - 1] !== '')
        .join('\n'),
    );
    return 0;
  },
};
