// Ablation of a run's result (issue #22): which kept changes carry it. For each keep on the best's lineage, "the
// best without that change" is built by reverse-applying the keep's diff onto the best (a three-way merge in git's
// object store, nothing checked out); where it no longer applies, its row says so. The best and every ablated
// version then run K times, repeat r of each under the same seed, in the run's slots through their executors and
// the sandbox; each keep's contribution is the mean paired difference (ablated − best, signed so that positive =
// the keep helped) with a 95 % t interval. Saved as runs/<tag>/ablation.json (atomically).
import { ablationVerdict, type Ablation, type AblationProgress, type AblationRow } from '../../shared/ablation.js';
import { slotExecutors } from '../exec/executor-for-slot.js';
import { sandboxMode } from '../exec/sandbox.js';
import { applyChangeTree } from '../git/apply-change.js';
import { identityArgs, raw } from '../git/git.js';
import { updateRef } from '../git/update-ref.js';
import { openJournalWriter } from '../journal/append.js';
import { readRunRecord } from '../journal/read.js';
import { pairedInterval } from '../loop/audit-run.js';
import { protectedHashesAt } from '../loop/protected-files.js';
import { runPaths } from '../project/paths.js';
import { acquireLock, releaseLock } from '../project/run-lock.js';
import { seedsFor, seedVaries } from '../project/seed-launch.js';
import { writeAblation } from '../report/ablation-file.js';
import { measureForAblation, type AblationBench } from './ablate-measure.js';
import { lineage } from './finalize-run.js';

export const DEFAULT_ABLATION_REPEATS = 3;

export class AblationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AblationError';
  }
}

export interface AblateOptions {
  readonly projectDir: string;
  readonly tag: string;
  readonly repeats?: number;
  readonly env: NodeJS.ProcessEnv;
  readonly nodePath: string;
  readonly nodeEnv?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: AblationProgress) => void;
}

/** Where the ablated commits stay reachable, so a row's commit can be inspected (and is not lost to gc). */
export const ablationRef = (tag: string, id: number) => `refs/autoresearch/${tag}/ablation/${id}`;

interface Version {
  /** null: the best itself; else the keep left out. */
  readonly without: number | null;
  readonly commit: string;
}

export async function ablateRun(opts: AblateOptions): Promise<Ablation> {
  const repeats = opts.repeats ?? DEFAULT_ABLATION_REPEATS;
  if (!Number.isInteger(repeats) || repeats < 2 || repeats > 100) throw new AblationError(`--repeats must be a whole number from 2 to 100 (got ${repeats}): an interval needs at least two pairs.`);
  const { projectDir, tag } = opts;
  const rec = await readRunRecord(projectDir, tag);
  const config = rec.config;
  if (rec.bestId === null || rec.bestCommit === null) throw new AblationError(`Run ${tag} has no measured baseline yet, so there is nothing to ablate.`);
  if (rec.bestId === 0 || rec.bestCommit === rec.startCommit) throw new AblationError(`Run ${tag} kept no change: its best is the baseline, so there is nothing to ablate.`);
  const bestCommit = rec.bestCommit;
  const chain = lineage(rec.experiments, rec.bestId);
  if (chain.some((e) => e.status !== 'keep' || !e.commit || !e.parentCommit)) {
    throw new AblationError(`The journal of run ${tag} does not lead from the best (#${rec.bestId}) back to the baseline through kept experiments; it may be damaged.`);
  }

  // The best without each keep: its change (parent → commit) applied backwards (commit → parent) onto the best.
  const id = await identityArgs(projectDir);
  const rows = new Map<number, { conflicts: readonly string[] | null; commit: string | null }>();
  const versions: Version[] = [{ without: null, commit: bestCommit }];
  for (const e of chain) {
    const applied = await applyChangeTree(projectDir, e.commit!, e.parentCommit, bestCommit);
    if ('conflicts' in applied) {
      rows.set(e.id, { conflicts: applied.conflicts, commit: null });
      continue;
    }
    const message = `autoresearch ablation: run ${tag}'s best without #${e.id} (${e.description})`;
    const commit = (await raw(projectDir, [...id, 'commit-tree', applied.tree, '-p', bestCommit, '-m', message])).trim();
    await updateRef(projectDir, ablationRef(tag, e.id), commit);
    rows.set(e.id, { conflicts: null, commit });
    versions.push({ without: e.id, commit });
  }

  const seeds = seedVaries(config.seed) ? seedsFor(repeats) : null;
  const paths = runPaths(projectDir, tag);
  // values[v][r]: version v's value under repeat r's seed (null: failed or not run).
  const values: (number | null)[][] = versions.map(() => Array.from({ length: repeats }, () => null));
  const errors: (string | null)[] = versions.map(() => null);
  const total = versions.length * repeats;
  let done = 0;
  opts.onProgress?.({ done, total, label: `${versions.length - 1} ablated versions and the best, ${repeats} runs each` });

  await acquireLock(projectDir, tag);
  const journal = await openJournalWriter(paths.journal);
  try {
    const bwrap = (await sandboxMode(opts.env)).bwrap;
    // The loop runs the trainer in the slots' executors; local slots first, as the ablation is an offline check
    // (remote slots only when the project has no local one).
    const executors = slotExecutors({ projectDir, config, env: opts.env });
    const local = config.slots.map((s, i) => ((s.executor?.kind ?? 'local') === 'local' ? i : -1)).filter((i) => i >= 0);
    const slots = local.length ? local : config.slots.map((_, i) => i);
    const worktrees = await Promise.all(slots.map(async (i) => (await executors[i]!.prepareWorkspace(i, bestCommit)).path));
    const bench: AblationBench = {
      projectDir,
      tag,
      config,
      paths,
      startCommit: rec.startCommit,
      bestId: rec.bestId,
      protectedHashes: await protectedHashesAt(projectDir, rec.startCommit, config.files.protected),
      bwrap,
      journal,
      env: opts.env,
      nodePath: opts.nodePath,
      ...(opts.nodeEnv ? { nodeEnv: opts.nodeEnv } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    };
    // Each slot takes the next repeat and runs every version under its seed, starting one further along each
    // repeat, so slow drift of the machine does not always favour the same version.
    let next = 0;
    await Promise.all(
      slots.map(async (slot, k) => {
        while (next < repeats && !opts.signal?.aborted) {
          const r = next++;
          for (let j = 0; j < versions.length && !opts.signal?.aborted; j++) {
            const v = (r + j) % versions.length;
            const version = versions[v]!;
            const name = version.without === null ? 'best' : `without-${version.without}`;
            const m = await measureForAblation(bench, { slot, executor: executors[slot]!, worktree: worktrees[k]!, commit: version.commit, seed: seeds ? seeds[r]! : null, logName: `ablation.${r + 1}.${name}` });
            if ('value' in m) values[v]![r] = m.value;
            else if (m.error !== 'stopped') errors[v] = m.error;
            done++;
            const what = version.without === null ? 'the best' : `without #${version.without}`;
            opts.onProgress?.({ done, total, label: `${what}, run ${r + 1}${seeds ? ` (seed ${seeds[r]})` : ''}: ${'value' in m ? m.value : `failed: ${m.error}`}` });
          }
        }
      }),
    );
  } finally {
    await journal.close();
    await releaseLock(projectDir);
  }
  if (opts.signal?.aborted) throw new AblationError('The ablation was stopped before it finished; nothing was saved.');

  const direction = config.metric.direction;
  const best = values[0]!;
  const out: AblationRow[] = chain.map((e) => {
    const built = rows.get(e.id)!;
    const base = { id: e.id, description: e.description, commit: built.commit };
    if (!built.commit) {
      const where = built.conflicts!.length ? built.conflicts!.join(', ') : 'conflicting changes';
      return { ...base, verdict: 'did-not-apply', contribution: null, ciLow: null, ciHigh: null, values: [], reason: `later keeps changed the same lines (${where}), so it no longer reverse-applies onto the best` };
    }
    const v = versions.findIndex((x) => x.without === e.id);
    const mine = values[v]!;
    const pairs = mine.flatMap((a, r) => (a !== null && best[r] !== null ? [[a, best[r]!] as const] : []));
    if (pairs.length < 2) {
      const why = errors[v] ?? errors[0] ?? 'too few runs succeeded';
      return { ...base, verdict: 'failed', contribution: null, ciLow: null, ciHigh: null, values: mine, reason: `only ${pairs.length} of ${repeats} pairs succeeded (${why})` };
    }
    // The paired gain of the best over the ablated version: positive when removing the keep makes things worse.
    const i = pairedInterval(pairs.map((p) => p[0]), pairs.map((p) => p[1]), direction);
    // Plain repeats that agree exactly measure no noise at all: the interval is a point, and says nothing about seeds.
    const noNoise = seeds === null && i.ciHigh - i.ciLow <= 1e-12 * Math.max(1, Math.abs(i.improvement));
    const reason = noNoise ? 'the seed cannot be varied and the reruns agree exactly, so this interval holds no noise; set a seed setting in Setup to measure it' : null;
    return { ...base, verdict: ablationVerdict(i.ciLow, i.ciHigh), contribution: i.improvement, ciLow: i.ciLow, ciHigh: i.ciHigh, values: mine, reason };
  });
  const ablation: Ablation = { version: 1, tag, at: new Date().toISOString(), bestId: rec.bestId, bestCommit, metric: config.metric.name, direction, repeats, seeds, best, rows: out };
  await writeAblation(projectDir, ablation);
  return ablation;
}
