import path from 'node:path';
import { FinalizeError, finalizeRun } from '../../core/finalize/finalize-run.js';
import { listRunTags, RunNotFoundError } from '../../core/journal/read.js';
import { assertProjectDir } from '../../core/project/project-info.js';
import { formatMetric } from '../../shared/wording.js';
import { parseCommandArgs } from '../args.js';
import { CliError } from '../io.js';
import type { Command } from './index.js';

const USAGE = `Usage: autoresearch finalize [DIR] --tag TAG [--branch NAME] [--squash] [--patch FILE] [--min-confidence X]
                             [--min-contribution X]

Makes a new branch (default autoresearch/TAG-final) from the run's start commit with one commit per kept
improvement, in the order they were kept; each message holds the description, the metric before → after
and the experiment id. --squash makes one commit instead. Also writes the commits as a .patch file
(default .autoresearch/runs/TAG/final.patch). Your branch, HEAD and files are never touched.
--min-confidence X keeps only improvements kept at least X standard errors above the noise (the Conf.
column; a metric with no noise across seeds passes, one kept with the noise unknown does not); the others
are listed as left out, and later changes are applied without them. --min-contribution X leaves out keeps whose
contribution in the run's ablation (the metric's unit, positive = it helped) is below X; it needs an ablation:
run \`autoresearch ablate --tag TAG\` first.`;

export const finalizeCommand: Command = {
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { tag: { type: 'string' }, branch: { type: 'string' }, squash: { type: 'boolean' }, patch: { type: 'string' }, 'min-confidence': { type: 'string' }, 'min-contribution': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      USAGE,
    );
    if (values.help) {
      io.out(USAGE + '\n');
      return 0;
    }
    if (positionals.length > 1) throw new CliError(`Give at most one project folder.\n\n${USAGE}`);
    const dir = await assertProjectDir(path.resolve(io.cwd, positionals[0] ?? '.')).catch((err: Error) => {
      throw new CliError(err.message);
    });
    if (typeof values.tag !== 'string' || !values.tag) {
      const tags = await listRunTags(dir);
      throw new CliError(`Say which run to finalize with --tag${tags.length ? ` (runs here: ${tags.join(', ')})` : ''}.`);
    }
    let minConfidence: number | undefined;
    if (typeof values['min-confidence'] === 'string') {
      const text = values['min-confidence'].trim();
      minConfidence = text === '' ? NaN : Number(text);
      if (!Number.isFinite(minConfidence) || minConfidence < 0) {
        throw new CliError(`--min-confidence must be a number of standard errors of at least 0, e.g. 2 (got "${values['min-confidence']}").`);
      }
    }
    let minContribution: number | undefined;
    if (typeof values['min-contribution'] === 'string') {
      const text = values['min-contribution'].trim();
      minContribution = text === '' ? NaN : Number(text);
      if (!Number.isFinite(minContribution)) throw new CliError(`--min-contribution must be a number in the metric's unit, e.g. 0.001 (got "${values['min-contribution']}").`);
    }
    const result = await finalizeRun({
      projectDir: dir,
      tag: values.tag,
      ...(typeof values.branch === 'string' ? { branch: values.branch } : {}),
      ...(values.squash ? { squash: true } : {}),
      ...(minConfidence !== undefined ? { minConfidence } : {}),
      ...(minContribution !== undefined ? { minContribution } : {}),
      ...(typeof values.patch === 'string' ? { patchFile: path.resolve(io.cwd, values.patch) } : {}),
    }).catch((err: Error) => {
      if (err instanceof FinalizeError || err instanceof RunNotFoundError) throw new CliError(err.message);
      throw err;
    });
    io.out(`Branch ${result.branch} from ${result.startCommit.slice(0, 7)}: ${result.commits.length} commit${result.commits.length === 1 ? '' : 's'}\n`);
    for (const c of result.commits) io.out(`  ${c.commit.slice(0, 7)}  #${c.id} ${c.description}  (${formatMetric(c.before)} → ${formatMetric(c.after)})\n`);
    for (const l of result.leftOut) io.out(`  left out: ${l.reason}\n`);
    io.out(`Patch: ${result.patchFile}\nYour branch was not moved. Review with \`git log -p ${result.startCommit.slice(0, 7)}..${result.branch}\`.\n`);
    return 0;
  },
};
