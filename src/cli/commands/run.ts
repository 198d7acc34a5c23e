import path from 'node:path';
import { createProposer, ProposerSetupError } from '../../core/agent/create-proposer.js';
import { summarize } from '../../core/journal/fold.js';
import { MAX_SLOTS, startRun, RunStartError } from '../../core/loop/start-run.js';
import { RunLockedError } from '../../core/project/run-lock.js';
import type { ProposerName, RunHandle } from '../../core/loop/types.js';
import { runPaths } from '../../core/project/paths.js';
import { dataDir } from '../../core/gpu/lease.js';
import { attachRunWebhooks } from '../../core/notify/run-webhooks.js';
import { intOption, numberOption, parseCommandArgs } from '../args.js';
import { formatBestRemeasured, formatExperimentLine, formatRunSummary } from '../format.js';
import { measuredRuns } from '../../shared/experiment.js';
import { detachRun } from '../detach.js';
import { CliError } from '../io.js';
import { tagProblem } from '../../core/loop/tag-check.js';
import type { Command } from './index.js';
import { refuseUntrusted } from './trust-gate.js';

const USAGE = `Usage: autoresearch run [DIR] [options]

Runs the loop on DIR (default: the current folder): baseline first, then propose → commit → run →
keep or revert, until a stop condition. An existing run is resumed when you pass its --tag.
  --tag TAG               the run's name; branch autoresearch/TAG (default: today's date, e.g. nov24)
  --proposer NAME         mutation (offline, default) | claude (Anthropic API) | command (agent CLI) |
                          openai-compatible (any /v1/chat/completions server: OPENAI_BASE_URL, agent.model)
  --max-experiments N     stop after N experiments after the baseline (over the whole run)
  --max-hours H           stop after H hours
  --slots N               run N experiments at once, each in its own worktree; with GPUs (nvidia-smi),
                          each slot gets its own (CUDA_VISIBLE_DEVICES), leased machine-wide so no other
                          run is given it; a run whose GPUs are taken refuses and names the run holding them
  --gpus 0,2              the GPUs to use (default: every GPU nvidia-smi reports)
  --gpus-per-slot N       GPUs per slot (default 1)
  --json                  print one JSON object per event instead of text
  --detach                keep running after this terminal closes: the run moves to a background process
                          and its output goes to .autoresearch/runs/TAG/output.log
Ctrl-C stops cleanly: running experiments are killed and recorded as interrupted (exit code 130).
A closed terminal (SIGHUP) and SIGTERM stop it the same way; use --detach to keep it running instead.`;

/** `--gpus 0,2` → ['0', '2']; an empty list is refused. */
function gpuList(value: string): string[] {
  const ids = value.split(',').map((g) => g.trim()).filter(Boolean);
  if (ids.length === 0) throw new CliError('--gpus needs at least one GPU, e.g. --gpus 0,2.');
  return ids;
}

const OK_REASONS = new Set(['max-experiments', 'max-hours', 'max-cost', 'target', 'exhausted', 'user', 'signal']);

export const runCommand: Command = {
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        tag: { type: 'string' },
        proposer: { type: 'string' },
        'max-experiments': { type: 'string' },
        'max-hours': { type: 'string' },
        slots: { type: 'string' },
        gpus: { type: 'string' },
        'gpus-per-slot': { type: 'string' },
        json: { type: 'boolean' },
        detach: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      USAGE,
    );
    if (values.help) {
      io.out(USAGE + '\n');
      return 0;
    }
    const proposer = values.proposer as string | undefined;
    if (proposer !== undefined && !['mutation', 'claude', 'command', 'openai-compatible'].includes(proposer)) {
      throw new CliError(`--proposer must be mutation, claude, command or openai-compatible (got "${proposer}").`);
    }
    const dir = path.resolve(io.cwd, positionals[0] ?? '.');
    const json = Boolean(values.json);
    const env = io.env;
    // Before --detach too: the refusal belongs in this terminal, not in a background process's log.
    await refuseUntrusted(dir, io);
    if (typeof values.tag === 'string') {
      const bad = await tagProblem(dir, values.tag);
      if (bad) throw new CliError(bad);
    }
    if (values.detach) return detachRun({ dir, tag: typeof values.tag === 'string' ? values.tag : null, argv, io });

    // Handlers are in place before start-up begins: a signal then stops the run as soon as it has started
    // (every step of start-up leaves a state the next `run --tag` resumes or starts afresh); a second one
    // during start-up leaves at once.
    let handle: RunHandle | null = null;
    let signals = 0;
    let firstSignal: NodeJS.Signals | null = null;
    const onSignal = (sig: NodeJS.Signals) => {
      signals += 1;
      if (signals === 1) {
        firstSignal = sig;
        if (!json) io.err(`\n${sig}: stopping — killing running experiments and recording them as interrupted…\n`);
        if (handle) void handle.stop({ reason: 'signal' });
      } else if (!handle) {
        process.exit(signalExitCode(sig) || 143);
      } else if (!json) {
        io.err('Still stopping (waiting for the experiment processes to exit)…\n');
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // A closed terminal or a dropped SSH session: stop as cleanly as on Ctrl-C (nothing left running, no
    // stale lock). `--detach` is how a run outlives its terminal.
    process.on('SIGHUP', onSignal);
    try {
      const started = await startRun({
        projectDir: dir,
        ...(typeof values.tag === 'string' ? { tag: values.tag } : {}),
        ...(proposer ? { proposer: proposer as ProposerName } : {}),
        ...(values['max-experiments'] !== undefined ? { maxExperiments: intOption(values['max-experiments'], '--max-experiments')! } : {}),
        ...(values['max-hours'] !== undefined ? { maxHours: numberOption(values['max-hours'], '--max-hours')! } : {}),
        ...(values.slots !== undefined ? { slots: intOption(values.slots, '--slots', 1, MAX_SLOTS)! } : {}),
        gpus: {
          ...(typeof values.gpus === 'string' ? { gpus: gpuList(values.gpus) } : {}),
          ...(values['gpus-per-slot'] !== undefined ? { perSlot: intOption(values['gpus-per-slot'], '--gpus-per-slot')! } : {}),
        },
        deps: {
          env,
          nodePath: process.execPath,
          appVersion: io.appVersion,
          createProposer: async (name, config) =>
            createProposer(name, config, {
              apiKey: env.ANTHROPIC_API_KEY ?? null,
              baseUrl: env.ANTHROPIC_BASE_URL ?? null,
              env,
              keyHint: 'set the ANTHROPIC_API_KEY environment variable',
            }),
        },
      }).catch((err: unknown) => {
        if (err instanceof RunStartError || err instanceof RunLockedError || err instanceof ProposerSetupError) throw new CliError(err.message);
        throw err;
      });
      handle = started;

      const direction = started.record().config?.metric.direction ?? 'min';
      const paths = runPaths(started.projectDir, started.tag);
      started.subscribe((e) => {
        if (e.kind !== 'journal') return;
        const ev = e.event;
        if (json) {
          io.out(JSON.stringify(ev) + '\n');
          return;
        }
        switch (ev.type) {
          case 'run-start':
            io.out(`Run ${ev.tag} on branch ${ev.branch} from ${ev.startCommit.slice(0, 7)} (proposer: ${ev.proposer})\nLogs and results: ${paths.dir}\n`);
            break;
          case 'run-resume':
            io.out(`Resuming run ${started.tag} (proposer: ${ev.proposer})\nLogs and results: ${paths.dir}\n`);
            break;
          case 'experiment-end':
            io.out(formatExperimentLine(ev.experiment, direction) + '\n');
            break;
          case 'best-remeasured': {
            // The best's value moves: say so at once, so the next change is measured against a number shown.
            const best = started.record().experiments.get(ev.id);
            if (best) io.out(formatBestRemeasured(ev.id, ev.run.metric, best.metric, measuredRuns(best), started.record().bestId === ev.id) + '\n');
            break;
          }
          case 'heldout-result': {
            const name = started.record().config?.heldout?.metric.name ?? 'held-out metric';
            io.out(`  held-out ${name} of #${ev.id}: ${ev.value !== null ? ev.value : `failed (${ev.error?.split('\n')[0] ?? 'no value'})`}\n`);
            break;
          }
          case 'notice':
            if (ev.level !== 'info') io.err(`${ev.level}: ${ev.message}\n`);
            break;
          case 'steer':
            io.out(`  note for the agent: ${ev.note}\n`);
            break;
          case 'approval-wait':
            io.out(`  #${ev.id} waits for approval (${ev.reason}): autoresearch approve --tag ${started.tag}\n`);
            break;
          case 'approval-answer':
            io.out(`  #${ev.id} ${ev.answer === 'approve' ? 'approved' : ev.answer === 'edit' ? 'approved with an edit' : 'rejected'} (from the ${ev.by})\n`);
            break;
          default:
            break;
        }
      });

      // Subscribed above in the same tick as the start, before anything awaits: the run is already opening and
      // its run-start line would otherwise be missed (it was, under load, while the settings file was read).
      // Notifications away from the desk, when the app's settings name a webhook (`autoresearch settings`).
      const webhooks = await attachRunWebhooks(dataDir(env), started, (message) => io.err(`warning: ${message}\n`));

      // When this process was started by `run --detach`, tell the waiting terminal that the run has started.
      if (process.send && env.AUTORESEARCH_DETACHED === '1') process.send({ started: started.tag }, () => process.disconnect?.());

      if (firstSignal) void started.stop({ reason: 'signal' });
      const outcome = await started.done;
      await webhooks?.close();
      const summary = summarize(started.record(), 'stopped');
      if (json) {
        io.out(JSON.stringify({ type: 'summary', summary, results: paths.results }) + '\n');
      } else {
        io.out(`\n${formatRunSummary(summary)}\n  results: ${paths.results}\n`);
        if (!OK_REASONS.has(outcome.reason)) io.err(`\n${outcome.message}\n`);
      }
      if (outcome.reason === 'signal' && firstSignal) return signalExitCode(firstSignal);
      return OK_REASONS.has(outcome.reason) ? 0 : 1;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
    }
  },
};

/**
 * The shell convention for "stopped by a signal" (128 + its number), so scripts can tell Ctrl-C from a
 * finished run. SIGTERM is how the app and supervisors ask for a stop, so it counts as a normal end.
 */
export function signalExitCode(sig: NodeJS.Signals): number {
  if (sig === 'SIGINT') return 130;
  if (sig === 'SIGHUP') return 129;
  return 0;
}
