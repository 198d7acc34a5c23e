import path from 'node:path';
import { withStopSignals } from '../stop-signals.js';
import { AblationError, ablateRun, DEFAULT_ABLATION_REPEATS } from '../../core/finalize/ablate.js';
import { listRunTags, RunNotFoundError } from '../../core/journal/read.js';
import { RunLockedError } from '../../core/project/run-lock.js';
import { assertProjectDir } from '../../core/project/project-info.js';
import { ablationFile } from '../../core/report/ablation-file.js';
import { describeAblationSetting, describeVerdict, formatContribution, formatInterval, type Ablation } from '../../shared/ablation.js';
import { intOption, parseCommandArgs } from '../args.js';
import { CliError } from '../io.js';
import type { Command } from './index.js';
import { refuseUntrusted } from './trust-gate.js';

const USAGE = `Usage: autoresearch ablate [DIR] --tag TAG [--repeats K] [--json]

Which kept changes carry the result: for each kept change of the run, builds the best without that change
(the keep's diff reverse-applied onto the best; a row says so where it no longer applies) and runs the best and
each such version K times (default ${DEFAULT_ABLATION_REPEATS}), repeat i of each under the same seed (plain repeats when the
project has no seed setting), in the sandbox. A keep's contribution is the mean paired difference, positive
when the keep helped, with a 95 % interval. Saved as .autoresearch/runs/TAG/ablation.json; \`autoresearch
report\` shows it and \`autoresearch finalize --min-contribution X\` uses it. The run must not be live.`;

/** The table as the terminal shows it: one row per keep, aligned. */
export function ablationTable(a: Ablation): string {
  const head = ['keep', 'description', `contribution (${a.metric})`, '95 % interval', 'verdict'];
  const rows = a.rows.map((r) => [`#${r.id}`, r.description, formatContribution(r.contribution), formatInterval(r), describeVerdict(r) + (r.reason ? ` (${r.reason})` : '')]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 4 ? 0 : r[i]!.length))));
  const line = (cells: readonly string[]) => '  ' + cells.map((c, i) => (i === 4 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

export const ablateCommand: Command = {
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { tag: { type: 'string' }, repeats: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, USAGE);
    if (values.help) {
      io.out(USAGE + '\n');
      return 0;
    }
    if (positionals.length > 1) throw new CliError(`Give at most one project folder.\n\n${USAGE}`);
    const dir = await assertProjectDir(path.resolve(io.cwd, positionals[0] ?? '.')).catch((err: Error) => {
      throw new CliError(err.message);
    });
    // The ablation runs the trainer: an untrusted project is refused first, as run and audit refuse it.
    await refuseUntrusted(dir, io);
    if (typeof values.tag !== 'string' || !values.tag) {
      const tags = await listRunTags(dir);
      throw new CliError(`Say which run to ablate with --tag${tags.length ? ` (runs here: ${tags.join(', ')})` : ''}.`);
    }
    const tag = values.tag;
    const repeats = intOption(values.repeats, '--repeats', 2, 100) ?? DEFAULT_ABLATION_REPEATS;
    const json = values.json === true;
    try {
      if (!json) io.out(`Ablating run ${values.tag}: the best without each kept change, ${repeats} runs each…\n`);
      const ablation = await withStopSignals((signal) =>
        ablateRun({
          projectDir: dir,
          tag,
          repeats,
          env: process.env,
          nodePath: process.execPath,
          signal,
          onProgress: (p) => {
            if (!json && p.done > 0) io.out(`  ${p.done}/${p.total} ${p.label}\n`);
          },
        }),
      );
      if (json) io.out(JSON.stringify(ablation) + '\n');
      else {
        io.out(`\nAblation of run ${values.tag} (${describeAblationSetting(ablation)}); positive = the keep helped:\n${ablationTable(ablation)}\n`);
        io.out(`Saved as ${ablationFile(dir, values.tag)}; \`autoresearch report\` shows it.\n`);
      }
      return 0;
    } catch (err) {
      if (err instanceof AblationError || err instanceof RunLockedError || err instanceof RunNotFoundError) throw new CliError(err.message);
      throw err;
    }
  },
};
