import path from 'node:path';
import { NOISE_UNKNOWN_FIXED_SEED } from '../../shared/experiment.js';
import { readRunStatuses } from '../../core/journal/run-status.js';
import { loadConfig } from '../../core/project/config-file.js';
import { assertProjectDir } from '../../core/project/project-dir.js';
import { describeSeed } from '../../shared/seed-words.js';
import { parseCommandArgs } from '../args.js';
import { formatDurationMs, formatRunSummary, shownPath } from '../format.js';
import { CliError } from '../io.js';
import type { Command } from './index.js';

const USAGE = `Usage: autoresearch status [DIR] [--json]

Lists the runs of the project in DIR (default: the current folder): each one's best, counts per status,
tokens and spend, and what runs now.`;

export const statusCommand: Command = {
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, USAGE);
    if (values.help) {
      io.out(USAGE + '\n');
      return 0;
    }
    const dir = await assertProjectDir(path.resolve(io.cwd, positionals[0] ?? '.')).catch((err: Error) => {
      throw new CliError(err.message);
    });
    const statuses = await readRunStatuses(dir);
    // The seed setting decides what the noise floor means (issue #22): said before the runs, in words.
    const loaded = await loadConfig(dir);
    const seed = loaded.state === 'ok' ? loaded.config.seed : null;
    if (values.json) {
      io.out(JSON.stringify({ project: dir, seed, runs: statuses }, null, 2) + '\n');
      return 0;
    }
    if (loaded.state === 'ok') {
      io.out(seed ? `seed: ${describeSeed(seed)}\n\n` : `seed: not decided — say how the seed is set in Setup or with: autoresearch init ${shownPath(io.cwd, dir)} --force --seed env:NAME\n\n`);
    }
    if (statuses.length === 0) {
      io.out(`No runs yet in ${dir}. Start one with: autoresearch run ${shownPath(io.cwd, dir)}\n`);
      return 0;
    }
    for (const s of statuses) {
      // No baseline yet and one interrupted: it was the baseline (no candidate runs before it), stopped or killed.
      const baselineCut = !s.neverStarted && s.summary.state !== 'running' && s.summary.baseline === null && s.summary.counts.interrupted > 0;
      const next = baselineCut
        ? `baseline interrupted — resume with: autoresearch run ${shownPath(io.cwd, dir)} --tag ${s.summary.tag} (it keeps the repeats it finished)`
        : s.interrupted
        ? `interrupted — resume with: autoresearch run ${shownPath(io.cwd, dir)} --tag ${s.summary.tag}`
        : s.neverStarted
          ? `start-up cut short, nothing recorded — start it with: autoresearch run ${shownPath(io.cwd, dir)} --tag ${s.summary.tag}`
          : undefined;
      io.out(formatRunSummary(s.summary, next) + '\n');
      if (s.ownerPid !== null) io.out(`  running in process ${s.ownerPid}\n`);
      if (s.noiseUnknown) io.out(`  ${NOISE_UNKNOWN_FIXED_SEED} (the seed setting in .autoresearch/config.json)\n`);
      for (const e of s.running) {
        const since = Date.now() - Date.parse(e.startedAt);
        io.out(`  now: #${e.id} on slot ${e.slot} for ${formatDurationMs(since)}${e.description ? ` — ${e.description}` : ' (proposing)'}\n`);
      }
      if (s.awaitingApproval.length) {
        io.out(`  waiting for approval: ${s.awaitingApproval.map((id) => `#${id}`).join(', ')} — answer with: autoresearch approve ${shownPath(io.cwd, dir)} --tag ${s.summary.tag}\n`);
      }
      if (s.heldout) io.out(`  ${s.heldout.line}\n${s.heldout.warning ? `  warning: ${s.heldout.warning}\n` : ''}`);
      if (s.badLines.length) io.out(`  note: ${s.badLines.length} unreadable journal line(s) skipped (a torn write after a crash)\n`);
      io.out('\n');
    }
    return 0;
  },
};
