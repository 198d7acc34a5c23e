// The `command` proposer: runs the researcher's own agent CLI (`claude -p`, `codex exec`, `aider --message`)
// in the slot's worktree with the same prompt as the claude proposer, on stdin or as an argument. The CLI
// has full access to the files, so the guardrails are applied to what it leaves behind: only editable
// files changed, protected files intact, diff under the cap; otherwise the proposal is rejected.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand, type RunCommandOptions, type RunCommandResult } from '../exec/run-command.js';
import { headCommit } from '../git/head.js';
import { parseAgentCliReport } from './agent-cli-usage.js';
import { describeFromText } from './claude/describe.js';
import { buildRunStatePrompt, buildSystemPrompt } from './claude/prompt.js';
import { guardDiff, hashProtectedFiles } from './diff-guard.js';
import { ProposalAbortedError, ProposerFatalError, type Proposal, type ProposalContext, type Proposer } from './proposer.js';
import { agentEnv, redactDeep, redactText, secretValuesOf } from './secrets-env.js';

export interface CommandProposerOptions {
  /** The environment the agent CLI starts with (its own credentials, PATH). */
  readonly env: NodeJS.ProcessEnv;
  /** Injected for tests; the real one runs the CLI in its own process group. */
  readonly runCommandImpl?: (opts: RunCommandOptions) => Promise<RunCommandResult>;
  /** Seconds between SIGTERM and SIGKILL when the CLI is stopped. */
  readonly graceSeconds?: number;
}

export const COMMAND_TRANSCRIPT_VERSION = 1;
/** Linux refuses a single argument or variable longer than 128 KiB; stay clear of it. */
export const MAX_ARG_PROMPT_BYTES = 100_000;
const OUTPUT_LOG_MAX_BYTES = 4 * 1024 * 1024;
const TRANSCRIPT_OUTPUT_CHARS = 200_000;
const REASON_TAIL_CHARS = 1_500;

/** The prompt an agent CLI gets: the rules and program.md, then the state of the run. */
export function buildCommandPrompt(ctx: ProposalContext): string {
  return `${buildSystemPrompt(ctx, 'command')}\n\n---\n\n${buildRunStatePrompt(ctx)}\n`;
}

const lastLines = (text: string, max: number) => (text.length <= max ? text : `…${text.slice(-max)}`).trim();

/** DESCRIPTION:/HYPOTHESIS: lines first; else the first line of the output's last paragraph. */
function descriptionOf(output: string): { description: string; hypothesis: string } | null {
  const marked = /^\s*[*_#>\s-]*DESCRIPTION\s*:/im.test(output) ? describeFromText(output) : null;
  if (marked) return marked;
  const paragraphs = output.replace(/\r\n?/g, '\n').split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
  const last = paragraphs.at(-1);
  return last ? describeFromText(last) : null;
}

export function createCommandProposer(opts: CommandProposerOptions): Proposer {
  const run = opts.runCommandImpl ?? runCommand;
  const graceMs = (opts.graceSeconds ?? 5) * 1000;

  return {
    name: 'command',
    async propose(ctx: ProposalContext): Promise<Proposal> {
      const { config, workspace } = ctx;
      const command = config.agent.command?.trim();
      if (!command) {
        throw new ProposerFatalError('The command proposer needs agent.command in the config, e.g. "claude -p". Set it in the setup form or config.json.');
      }
      const via = config.agent.commandPromptVia;
      const startedAt = new Date();
      const prompt = buildCommandPrompt(ctx);
      const secrets = secretValuesOf(opts.env);
      const clean = (s: string) => redactText(s, secrets);

      // Set once the CLI has run: what it reported spending counts even when the proposal is rejected.
      let reported: ReturnType<typeof parseAgentCliReport> = { usage: null, text: null };
      const rejected = (reason: string, extra: Record<string, unknown> = {}): Proposal => ({
        description: 'Agent command gave no usable proposal',
        hypothesis: '',
        usage: reported.usage,
        transcript: redactDeep(
          { version: COMMAND_TRANSCRIPT_VERSION, proposer: 'command', command, promptVia: via, experimentId: ctx.experimentId, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), prompt, ...extra, outcome: { rejectedReason: reason } },
          secrets,
        ),
        rejectedReason: clean(reason),
      });

      if (via === 'arg' && Buffer.byteLength(prompt) > MAX_ARG_PROMPT_BYTES) {
        return rejected(
          `The prompt is ${Buffer.byteLength(prompt)} bytes, too long to pass as an argument (limit ${MAX_ARG_PROMPT_BYTES}). Set agent.commandPromptVia to "stdin", or lower agent.historyLimit.`,
        );
      }

      await mkdir(ctx.scratchDir, { recursive: true });
      const promptFile = path.join(ctx.scratchDir, `prompt-${ctx.experimentId}.md`);
      const logFile = path.join(ctx.scratchDir, `agent-${ctx.experimentId}.log`);
      await writeFile(promptFile, prompt, 'utf8');
      const protectedHashes = await hashProtectedFiles(workspace.root, config.files.protected);
      const headBefore = await headCommit(workspace.root);

      const env = agentEnv(opts.env, {
        AUTORESEARCH_PROMPT_FILE: promptFile,
        AUTORESEARCH_EXPERIMENT_ID: String(ctx.experimentId),
        AUTORESEARCH_PROJECT_DIR: workspace.projectDir,
        ...(via === 'arg' ? { AUTORESEARCH_PROMPT: prompt } : {}),
      }, config.sandbox.passEnv);
      // "$AUTORESEARCH_PROMPT" expands to exactly one argument: no quoting of the prompt can break the command line.
      const commandLine = via === 'arg' ? `${command} "$AUTORESEARCH_PROMPT"` : command;
      let started: { pid: number; pgid: number } | null = null;
      let result: RunCommandResult;
      let output = '';
      try {
        result = await run({
          command: commandLine,
          cwd: workspace.root,
          env,
          logFile,
          logMaxBytes: OUTPUT_LOG_MAX_BYTES,
          timeoutMs: config.agent.commandTimeoutSeconds * 1000,
          graceMs,
          signal: ctx.signal,
          sandbox: ctx.sandbox ?? null,
          ...(via === 'stdin' ? { stdin: prompt } : {}),
          onStart: (info) => {
            started = info;
            ctx.onProcessStart?.(info);
          },
        });
      } finally {
        if (started) ctx.onProcessEnd?.(started);
        // The raw output may hold what the CLI printed of its environment: keep only the redacted copy.
        // The output only explains the proposal (the change itself is read from the worktree): none if unreadable.
        output = clean(await readFile(logFile, 'utf8').catch(() => ''));
        await rm(logFile, { force: true });
        await rm(promptFile, { force: true });
      }

      if (result.aborted) throw new ProposalAbortedError();
      reported = parseAgentCliReport(output);
      const facts = {
        exitCode: result.exitCode,
        signal: result.signal,
        timedOut: result.timedOut,
        durationMs: result.durationMs,
        output: output.length > TRANSCRIPT_OUTPUT_CHARS ? `…${output.slice(-TRANSCRIPT_OUTPUT_CHARS)}` : output,
      };
      if (result.spawnError) throw new ProposerFatalError(`The agent command could not be started: ${clean(result.spawnError)}`);
      if (result.exitCode === 127) {
        throw new ProposerFatalError(
          `The agent command was not found (exit 127): ${clean(lastLines(output, 300))}. Install it or fix agent.command (now "${clean(command)}").`,
        );
      }
      if (result.timedOut) {
        return rejected(`The agent command did not finish within agent.commandTimeoutSeconds (${config.agent.commandTimeoutSeconds} s) and was stopped.`, facts);
      }
      if (result.exitCode !== 0) {
        const tail = lastLines(output, REASON_TAIL_CHARS);
        return rejected(
          `The agent command failed (${result.exitCode === null ? `killed by ${result.signal}` : `exit ${result.exitCode}`})${tail ? `: ${tail}` : ''}`,
          facts,
        );
      }

      // The harness commits, not the agent: a CLI that committed (or checked out something else) made a
      // change the guardrails cannot see as a diff.
      const headAfter = await headCommit(workspace.root);
      if (headAfter !== headBefore) {
        return rejected(
          `The agent command moved HEAD (${headBefore?.slice(0, 7) ?? 'none'} → ${headAfter?.slice(0, 7) ?? 'none'}), e.g. by committing. Agents must only edit files; tell it not to commit (claude -p: do not use git).`,
          facts,
        );
      }
      const guard = await guardDiff({ worktree: workspace.root, config, protectedHashes });
      const described = descriptionOf(reported.text ?? output);
      if (!guard.ok) return rejected(guard.reason, { ...facts, changedFiles: guard.changedFiles });
      const description = described?.description ?? `${command.split(/\s+/)[0]} edit of ${guard.changedFiles.join(', ')}`;
      const hypothesis = described?.hypothesis ?? '';
      return {
        description: clean(description),
        hypothesis: clean(hypothesis),
        usage: reported.usage,
        transcript: redactDeep(
          {
            version: COMMAND_TRANSCRIPT_VERSION,
            proposer: 'command',
            command,
            promptVia: via,
            experimentId: ctx.experimentId,
            startedAt: startedAt.toISOString(),
            finishedAt: new Date().toISOString(),
            prompt,
            ...facts,
            changedFiles: guard.changedFiles,
            changedLines: guard.changedLines,
            outcome: { description, hypothesis, rejectedReason: null },
          },
          secrets,
        ),
      };
    },
  };
}
