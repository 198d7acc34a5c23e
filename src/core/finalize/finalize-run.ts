// Finishing a run into something reviewable: a new branch from the run's start commit with one commit
// per kept improvement, in the order they were kept, each message holding the description, the metric
// before → after and the experiment id (or one squashed commit), plus a .patch file of the same commits.
//
// The commits are built with `git commit-tree` from the trees the loop measured, so the branch's last tree
// is exactly the best commit's, and nothing is checked out: the user's branch, HEAD, index and files are
// never touched. With parallel slots a kept experiment can be overtaken by one measured from an older
// base (the best's history does not contain it); such a keep is reported, never silently dropped. With a
// minimum confidence, keeps below it are left out and reported, and the later keeps' changes are applied
// without them (three-way, still without a checkout); one that no longer applies is reported too.
import type { FinalizeResult } from '../../shared/api.js';
import { experimentChange, formatChange, formatMetric, metricChange, plural } from '../../shared/wording.js';
import { describeConfidence, type Experiment } from '../../shared/experiment.js';
import { applyChangeTree } from '../git/apply-change.js';
import { runTrailer } from '../git/commit-message.js';
import { identityArgs, raw } from '../git/git.js';
import { readRef } from '../git/update-ref.js';
import { readRunRecord } from '../journal/read.js';
import { readAblation } from '../report/ablation-file.js';
import { formatContribution } from '../../shared/ablation.js';
import { runPaths } from '../project/paths.js';
import { branchFor } from '../loop/refs.js';
import { assertWritableTarget, LinkRefusedError, writeFileAtomic } from '../util/safe-fs.js';

export class FinalizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FinalizeError';
  }
}

export interface FinalizeOptions {
  readonly projectDir: string;
  readonly tag: string;
  /** Default: autoresearch/<tag>-final. It must not exist yet. */
  readonly branch?: string;
  /** One commit with the best tree instead of one per kept improvement. */
  readonly squash?: boolean;
  /** Where to write the patch; default runs/<tag>/final.patch. */
  readonly patchFile?: string;
  /**
   * Only kept improvements whose decision stood at least this many standard errors above the noise (the
   * confidence's z; a metric with no noise across seeds passes any threshold, one whose noise is unknown — a
   * fixed seed's exact repeats — passes none). The others are left out and reported, and
   * the later changes are applied without them.
   */
  readonly minConfidence?: number;
  /**
   * Only kept improvements whose ablation contribution (runs/<tag>/ablation.json, in the metric's unit, positive =
   * it helped) is at least this; the others are left out and reported. Needs an ablation of the current best.
   * A keep the ablation could not measure (it did not reverse-apply, its runs failed) stays in: nothing shows it is below.
   */
  readonly minContribution?: number;
}

type FinalizedCommit = FinalizeResult['commits'][number];

export const defaultFinalBranch = (tag: string) => `${branchFor(tag)}-final`;

/** The kept experiments on the best commit's lineage, oldest first. */
export function lineage(experiments: ReadonlyMap<number, Experiment>, bestId: number): Experiment[] {
  const chain: Experiment[] = [];
  const seen = new Set<number>();
  for (let e = experiments.get(bestId); e && e.kind === 'candidate' && !seen.has(e.id); e = e.baseId !== null ? experiments.get(e.baseId) : undefined) {
    seen.add(e.id);
    chain.unshift(e);
  }
  return chain;
}

/** Did the decision that kept `e` stand at least `min` standard errors above the noise? A noiseless metric always does; a keep with the noise unknown never can. */
function confident(e: Experiment, min: number): boolean {
  const c = e.confidence;
  if (!c) return false;
  if (c.label === 'exact') return true;
  return c.z !== null && c.z >= min;
}

/** Each keep's ablation contribution (null: not measured); the ablation must be of the run's current best. */
async function contributionsFor(projectDir: string, tag: string, bestId: number, min: number): Promise<Map<number, number | null>> {
  if (!Number.isFinite(min)) throw new FinalizeError(`--min-contribution must be a number in the metric's unit, e.g. 0.001 (got ${String(min)}).`);
  const ablation = await readAblation(projectDir, tag).catch((err: Error) => {
    throw new FinalizeError(err.message);
  });
  if (!ablation) throw new FinalizeError(`--min-contribution needs an ablation of run ${tag}, and there is none yet: run \`autoresearch ablate --tag ${tag}\` first (History → Ablate… in the app).`);
  if (ablation.bestId !== bestId) throw new FinalizeError(`The ablation of run ${tag} is of an older best (#${ablation.bestId}; the best is now #${bestId}): run \`autoresearch ablate --tag ${tag}\` again first.`);
  return new Map(ablation.rows.map((r) => [r.id, r.contribution]));
}

export async function finalizeRun(opts: FinalizeOptions): Promise<FinalizeResult> {
  const { projectDir, tag } = opts;
  const record = await readRunRecord(projectDir, tag);
  const metric = record.config.metric;
  const branch = opts.branch ?? defaultFinalBranch(tag);
  const valid = await raw(projectDir, ['check-ref-format', '--branch', branch]).catch(() => null);
  if (valid === null) throw new FinalizeError(`"${branch}" is not a valid branch name. Pass another with --branch.`);
  if (await readRef(projectDir, `refs/heads/${branch}`)) {
    throw new FinalizeError(`The branch ${branch} already exists. Pass another name with --branch, or delete it first (git branch -D ${branch}).`);
  }
  if (opts.minConfidence !== undefined && !(Number.isFinite(opts.minConfidence) && opts.minConfidence >= 0)) {
    throw new FinalizeError(`--min-confidence must be a number of standard errors of at least 0, e.g. 2 (got ${String(opts.minConfidence)}).`);
  }
  // Checked before the branch is made, so a refused patch file leaves nothing half done.
  const patchFile = opts.patchFile ?? runPaths(projectDir, tag).abs('final.patch');
  await assertWritableTarget(patchFile).catch((err: unknown) => {
    throw err instanceof LinkRefusedError ? new FinalizeError(err.message) : err;
  });
  if (record.bestId === null || record.bestId === 0 || !record.bestCommit) {
    throw new FinalizeError(`Run ${tag} has no kept improvement yet: there is nothing to finalize.`);
  }
  const contributions = opts.minContribution !== undefined ? await contributionsFor(projectDir, tag, record.bestId, opts.minContribution) : null;

  const chain = lineage(record.experiments, record.bestId);
  if (chain.some((e) => e.status !== 'keep' || !e.commit)) {
    throw new FinalizeError(`The journal of run ${tag} does not lead from the best (#${record.bestId}) back to the baseline through kept experiments; it may be damaged.`);
  }
  const onChain = new Set(chain.map((e) => e.id));
  const keptOrder = [...record.experiments.values()]
    .filter((e) => e.kind === 'candidate' && e.status === 'keep')
    .sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? '') || a.id - b.id);
  const leftOut: FinalizeResult['leftOut'][number][] = keptOrder
    .filter((e) => !onChain.has(e.id))
    .map((e) => {
      const overtaker = chain.find((c) => (c.finishedAt ?? '') > (e.finishedAt ?? '') && c.baseId !== e.id);
      return {
        id: e.id,
        description: e.description,
        reason: `#${e.id} was kept, but ${overtaker ? `#${overtaker.id}, measured from an older base,` : 'a later experiment'} became the best without it: its change is not in the best commit, so it is left out.`,
      };
    });

  // Every commit the loop made must still exist (a gc after a deleted run ref would lose them).
  for (const e of chain) {
    const ok = await raw(projectDir, ['cat-file', '-e', `${e.commit}^{tree}`]).then(() => true, () => false);
    if (!ok) throw new FinalizeError(`The commit of experiment #${e.id} (${e.commit!.slice(0, 7)}) is missing from the repository. It cannot be finalized.`);
  }

  const id = await identityArgs(projectDir);
  const treeOf = async (commit: string) => (await raw(projectDir, ['rev-parse', `${commit}^{tree}`])).trim();
  const commitTree = async (tree: string, parent: string, message: string) =>
    (await raw(projectDir, [...id, 'commit-tree', tree, '-p', parent, '-m', message])).trim();
  const change = (e: Experiment) => formatChange(experimentChange(e, metric.direction));
  const min = opts.minConfidence;
  const trailer = (ids: string) =>
    runTrailer(tag, [ids, ...(min !== undefined ? [`Autoresearch-Min-Confidence: ${min}`] : []), ...(opts.minContribution !== undefined ? [`Autoresearch-Min-Contribution: ${opts.minContribution}`] : [])]);

  // Which keeps go in, and the tree after each: the loop's own trees while nothing before was left out,
  // else the keep's change applied on top of what went in so far.
  const steps: { readonly e: Experiment; readonly tree: string; readonly rebuilt: boolean }[] = [];
  let skipped = false;
  let tip = await treeOf(record.startCommit);
  for (const e of chain) {
    const c = contributions?.get(e.id);
    if (c !== undefined && c !== null && c < opts.minContribution!) {
      leftOut.push({ id: e.id, description: e.description, reason: `#${e.id} contributes ${formatContribution(c)} ${metric.name} in the ablation, below --min-contribution ${opts.minContribution}: left out.` });
      skipped = true;
      continue;
    }
    if (min !== undefined && !confident(e, min)) {
      leftOut.push({ id: e.id, description: e.description, reason: e.confidence?.label === 'unknown' ? `#${e.id} was kept with the noise unknown (its runs repeated exactly under a fixed seed), so it cannot be shown to reach --min-confidence ${min}: left out. Set how the seed is varied (Setup → Seed) so later runs measure the noise.` : e.confidence ? `#${e.id} was kept at ${describeConfidence(e.confidence)}, below --min-confidence ${min}: left out.` : `#${e.id} has no recorded confidence (kept by an older version), so it cannot be shown to reach --min-confidence ${min}: left out.` });
      skipped = true;
      continue;
    }
    let tree: string;
    if (!skipped) tree = await treeOf(e.commit!);
    else {
      const applied = await applyChangeTree(projectDir, e.parentCommit, e.commit!, tip);
      if ('conflicts' in applied) {
        leftOut.push({ id: e.id, description: e.description, reason: `#${e.id} no longer applies without the improvements left out before it (${applied.conflicts.join(', ') || 'conflicting changes'}): left out.` });
        continue;
      }
      tree = applied.tree;
    }
    tip = tree;
    steps.push({ e, tree, rebuilt: skipped });
  }
  if (steps.length === 0 && contributions) {
    throw new FinalizeError(`No kept improvement of run ${tag} contributes at least --min-contribution ${opts.minContribution} in the ablation. Lower it, or finalize without it.`);
  }
  if (steps.length === 0) {
    const best = Math.max(...chain.map((e) => (e.confidence?.label === 'exact' ? Infinity : (e.confidence?.z ?? -Infinity))));
    throw new FinalizeError(`No kept improvement of run ${tag} reaches --min-confidence ${min}${Number.isFinite(best) ? ` (the highest is ${best.toFixed(1)} standard errors)` : ''}. Lower it, or finalize without it.`);
  }
  const rebuiltNote = (rebuilt: boolean) => (rebuilt ? '\n\nMeasured in the run on top of improvements left out here; applied without them.' : '');

  const commits: FinalizedCommit[] = [];
  let head = record.startCommit;
  if (opts.squash) {
    const last = steps[steps.length - 1]!;
    const best = last.e;
    const baseline = record.experiments.get(0)?.metric ?? null;
    const lines = steps.map(({ e }) => `- #${e.id} ${e.description}: ${metric.name} ${formatMetric(e.bestBefore)} → ${formatMetric(e.metric)} (${change(e)})`);
    const message =
      `Autoresearch run ${tag}: ${metric.name} ${formatMetric(baseline)} → ${formatMetric(best.metric)} (${formatChange(metricChange(best.metric, baseline, metric.direction))})\n\n` +
      `${lines.join('\n')}${rebuiltNote(steps.some((s) => s.rebuilt))}\n\n${trailer(`Autoresearch-Experiments: ${steps.map(({ e }) => e.id).join(', ')}`)}`;
    head = await commitTree(last.tree, head, message);
    commits.push({ id: best.id, commit: head, description: `${plural(steps.length, 'kept improvement')}, squashed`, before: baseline, after: best.metric });
  } else {
    for (const { e, tree, rebuilt } of steps) {
      const why = e.hypothesis.trim() ? `\n\n${e.hypothesis.trim()}` : '';
      const message = `${e.description}\n\n${metric.name}: ${formatMetric(e.bestBefore)} → ${formatMetric(e.metric)} (${change(e)})${why}${rebuiltNote(rebuilt)}\n\n${trailer(`Autoresearch-Experiment: ${e.id}`)}`;
      head = await commitTree(tree, head, message);
      commits.push({ id: e.id, commit: head, description: e.description, before: e.bestBefore, after: e.metric });
    }
  }
  // Create-only: an empty old value makes update-ref fail if the branch appeared meanwhile.
  await raw(projectDir, ['update-ref', `refs/heads/${branch}`, head, '']);
  const patch = await raw(projectDir, ['format-patch', '--stdout', '--no-signature', `${record.startCommit}..${head}`]);
  // Never through a link planted at final.patch (or a linked folder on the way): that would write anywhere.
  await writeFileAtomic(patchFile, patch);
  return { branch, startCommit: record.startCommit, head, commits, leftOut, patchFile };
}
