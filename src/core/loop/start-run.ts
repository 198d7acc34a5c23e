// Starting a run: the checks that refuse with a message saying what to do, then either a new run
// (branch autoresearch/<tag> at HEAD, journal opened with run-start) or the resumption of an existing one
// (orphans killed, interrupted experiments marked, results.tsv rebuilt from the journal).
import { mkdir, rm, stat } from 'node:fs/promises';
import { linkedInputsProblem } from '../project/linked-inputs.js';
import { LinkRefusedError } from '../util/safe-fs.js';
import { describeConfigErrors, type ProjectConfig } from '../../shared/config.js';
import type { Experiment } from '../../shared/experiment.js';
import { REPAIR_STOP_MESSAGE, type JournalEvent } from '../../shared/journal.js';
import { reattachAll } from '../exec/executor-for-slot.js';
import { createLocalExecutor } from '../exec/local-executor.js';
import { releaseGpuLeases, type GpuLease } from '../gpu/lease.js';
import { queryGpus } from '../gpu/query-gpus.js';
import { dirtyTrackedFiles } from '../git/dirty-files.js';
import { ensureExcluded } from '../git/exclude.js';
import { headCommit } from '../git/head.js';
import { repoPlace } from '../git/repo-place.js';
import { repoRoot } from '../git/repo-root.js';
import { readRef, refExists, updateRef } from '../git/update-ref.js';
import { isDiskProblem, JournalWriteError, openJournalWriter, writeCause } from '../journal/append.js';
import { emptyRunRecord, foldEvent, isNeverStarted, type RunRecord } from '../journal/fold.js';
import { loadRunRecord, readJournalEvents } from '../journal/read.js';
import { writeResults } from '../journal/results-tsv.js';
import { loadConfig } from '../project/config-file.js';
import { assertProjectDir, isAppManagedPath } from '../project/project-info.js';
import { projectPaths, runPaths } from '../project/paths.js';
import { acquireLock, releaseLock, RunLockedError } from '../project/run-lock.js';
import { branchFor } from './refs.js';
import { editableProblem } from '../project/editable-check.js';
import { tagProblem } from './tag-check.js';
import { createRun } from './run.js';
import { GpuAssignError, leaseSlotGpus } from './slot-gpus.js';
import type { RunHandle, StartRunOptions } from './types.js';

export class RunStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunStartError';
  }
}


const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * autoresearch's convention: the date, e.g. mar5; a second run that day gets mar5-2, mar5-3... A tag is taken
 * by anything a run of it left in this project: its folder (with or without a journal: a start that died before
 * writing one) or its branch. Other projects' runs do not matter.
 */
export async function defaultTag(projectDir: string, now = new Date()): Promise<string> {
  const base = `${MONTHS[now.getMonth()]}${now.getDate()}`;
  for (let n = 1; ; n++) {
    const tag = n === 1 ? base : `${base}-${n}`;
    const folder = await stat(runPaths(projectDir, tag).dir).catch(() => null);
    if (!folder && !(await refExists(projectDir, `refs/heads/${branchFor(tag)}`))) return tag;
  }
}

export { TAG_PATTERN } from './tag-check.js';

/** Load and check everything a run needs; throws RunStartError with what to do. */
export async function preflight(projectDir: string): Promise<{ dir: string; config: ProjectConfig }> {
  const dir = await assertProjectDir(projectDir).catch((err: Error) => {
    throw new RunStartError(err.message);
  });
  const root = await repoRoot(dir);
  if (root === null) {
    throw new RunStartError(`${dir} is not a git repository. The loop commits every experiment, so it needs one: run \`git init && git add -A && git commit -m init\` there, or \`autoresearch init --git-init\`.`);
  }
  // A subfolder of a repository (a monorepo's packages/model/) is a project of its own: worktrees are of the
  // whole repository, and commands, globs, the agent and the records are the subfolder's (docs/decisions.md).
  if ((await headCommit(dir)) === null) {
    throw new RunStartError(`${dir} has no commit yet. Commit your files first (\`git add -A && git commit -m init\`).`);
  }
  const loaded = await loadConfig(dir);
  if (loaded.state === 'missing') {
    throw new RunStartError(`${dir} has no .autoresearch/config.json. Run \`autoresearch init ${dir}\` or set the project up in the app.`);
  }
  if (loaded.state === 'invalid') {
    throw new RunStartError(`The project's config is invalid:\n${describeConfigErrors(loaded.errors)}\nFix .autoresearch/config.json (or the setup form in the app) and try again.`);
  }
  const tooBig = envProblem(loaded.config);
  if (tooBig) throw new RunStartError(tooBig);
  const editable = await editableProblem(dir, loaded.config.files.editable);
  if (editable) throw new RunStartError(editable);
  const linked = await linkedInputsProblem(dir, loaded.config.files.linked);
  if (linked) throw new RunStartError(linked);
  return { dir, config: loaded.config };
}

/** Each slot is a worktree and a process at a time: more than this is a typo, not a machine. */
export const MAX_SLOTS = 64;

/**
 * Linux refuses to start a command whose environment has one string over 128 KiB (MAX_ARG_STRLEN) or is
 * larger than about 2 MiB in all (spawn E2BIG); run.env is in every command's environment, so it is checked
 * before the run starts rather than failing every experiment.
 */
const MAX_ENV_STRING = 128 * 1024 - 1;
const MAX_ENV_TOTAL = 1024 * 1024;

export function envProblem(config: ProjectConfig): string | null {
  const sets: [string, Record<string, string>][] = [['run.env', config.run.env], ...config.slots.map((s, i): [string, Record<string, string>] => [`slots[${i}].env`, s.env])];
  for (const [where, env] of sets) {
    let total = 0;
    for (const [k, v] of Object.entries(env)) {
      const size = Buffer.byteLength(k) + Buffer.byteLength(v) + 1;
      if (size > MAX_ENV_STRING) return `${where}.${k.length > 40 ? `${k.slice(0, 40)}…` : k} is ${Math.ceil(size / 1024)} KiB; an environment variable can hold at most 128 KiB, so no command could start with it. Put large data in a file and pass its path instead (.autoresearch/config.json).`;
      total += size;
    }
    if (total > MAX_ENV_TOTAL) return `${where} is ${Math.ceil(total / 1024)} KiB in all; the environment of a command is limited to about 1 MiB here, so no command could start with it. Put large data in a file and pass its path instead (.autoresearch/config.json).`;
  }
  return null;
}

/** Apply CLI/UI overrides (slots, limits) to the saved config for this session. */
function effectiveConfig(config: ProjectConfig, opts: StartRunOptions): ProjectConfig {
  let slots = config.slots;
  if (opts.slots !== undefined) {
    if (!Number.isInteger(opts.slots) || opts.slots < 1 || opts.slots > MAX_SLOTS) throw new RunStartError(`--slots must be a whole number from 1 to ${MAX_SLOTS} (got ${opts.slots}).`);
    slots = Array.from({ length: opts.slots }, (_, i) => config.slots[i] ?? { env: {} });
  }
  return {
    ...config,
    slots,
    stop: {
      ...config.stop,
      ...(opts.maxExperiments !== undefined ? { maxExperiments: opts.maxExperiments } : {}),
      ...(opts.maxHours !== undefined ? { maxHours: opts.maxHours } : {}),
    },
  };
}

/**
 * A previous app process died while running `tag` (its lock is stale): kill what it left running and
 * mark its unfinished experiments interrupted. Safe to call on a run that ended cleanly (it does nothing).
 */
export async function repairRun(projectDir: string, tag: string): Promise<{ killed: number[]; interrupted: number[] }> {
  const paths = runPaths(projectDir, tag);
  const exists = await stat(paths.journal).catch(() => null);
  if (!exists) return { killed: [], interrupted: [] };
  // No snapshot from here: this appends to the journal at once; the resume that follows writes one.
  const { record: rec } = await loadRunRecord(paths.dir, paths.journal, { snapshotAfterBytes: Infinity });
  const open = [...rec.openProcesses.values()];
  // Each recorded job goes to the executor that started it (a local one cannot be re-attached: it is killed;
  // a Slurm job still running is cancelled, one that ended is recorded). Slot settings come from the run's
  // own config as journaled (a session may have overridden the saved one), else from the saved config.
  const config = rec.config ?? (await loadConfig(projectDir).then((l) => (l.state === 'ok' ? l.config : null)).catch(() => null));
  const { killed, notes } = config
    ? await reattachAll(open, { projectDir, config, env: process.env, runDir: paths.dir })
    : { ...(await createLocalExecutor({ projectDir, linked: [], env: process.env }).reattach(open, paths.dir)), notes: [] as string[] };
  const running = [...rec.experiments.values()].filter((e) => e.status === 'running');
  if (open.length === 0 && running.length === 0) return { killed, interrupted: [] };
  const writer = await openJournalWriter(paths.journal);
  const at = new Date().toISOString();
  try {
    for (const message of notes) await writer.append({ type: 'notice', at, level: 'warning', message });
    for (const p of open) await writer.append({ type: 'process-end', at, id: p.id, pgid: p.pgid, ...(p.remote ? { remote: p.remote } : {}) });
    for (const e of running) {
      const ended: Experiment = {
        ...e,
        status: 'interrupted',
        finishedAt: at,
        error: 'The app stopped while this experiment was running (killed or crashed). Its processes were cleaned up when the run resumed.',
      };
      await writer.append({ type: 'experiment-end', at, experiment: ended });
    }
    if (!rec.stopReason) {
      await writer.append({ type: 'run-stop', at, reason: 'error', message: REPAIR_STOP_MESSAGE });
    }
  } finally {
    await writer.close();
  }
  return { killed, interrupted: running.map((e) => e.id) };
}

/** A journal a start-up left before its run-start was written: nothing in it is a run to resume. */
function neverStarted({ events }: { events: readonly JournalEvent[] }): boolean {
  const rec = emptyRunRecord();
  for (const e of events) foldEvent(rec, e);
  return isNeverStarted(rec);
}

export async function startRun(opts: StartRunOptions): Promise<RunHandle> {
  const { dir, config: saved } = await preflight(opts.projectDir);
  const tag = opts.tag ?? (await defaultTag(dir));
  const badTag = await tagProblem(dir, tag);
  if (badTag) throw new RunStartError(badTag);
  let config = effectiveConfig(saved, opts);
  const paths = runPaths(dir, tag);

  // One run per project, taken before anything is written (project/run-lock.ts): a live owner refuses here, and a
  // dead one's lock is taken over, its run repaired first.
  const { previous } = await acquireLock(dir, tag).catch((err: unknown) => {
    if (err instanceof LinkRefusedError) throw new RunStartError(err.message);
    // A permission problem keeps its own message (cli/fs-errors.ts says which folder to make writable).
    if (err instanceof RunLockedError || !isDiskProblem(err)) throw err;
    throw new RunStartError(`Cannot write the run lock ${projectPaths(dir).lockFile}: ${writeCause(err)}. Free space (or fix the disk) and start again.`);
  });
  let leases: GpuLease[] = [];
  try {
    if (previous && previous.tag !== tag) await repairRun(dir, previous.tag);

    // A start-up killed before its run-start was on disk left a journal with nothing in it (and, being written
    // before the branch, no branch): that run never started, so it starts again from the beginning.
    const journalSize = (await stat(paths.journal).catch(() => null))?.size ?? null;
    let journalExists = journalSize !== null;
    // Only a small journal can be one that never started (a run-start is one line): a long run is not read twice.
    if (journalSize !== null && journalSize < 4 << 20 && neverStarted(await readJournalEvents(paths.journal))) {
      await rm(paths.journal, { force: true });
      journalExists = false;
    }
    const branch = branchFor(tag);
    const branchExists = await refExists(dir, `refs/heads/${branch}`);
    if (!journalExists && branchExists) {
      throw new RunStartError(`The branch ${branch} already exists but no run "${tag}" is recorded in this project. Choose another tag (--tag) or delete the branch (git branch -D ${branch}).`);
    }
    if (!journalExists) {
      const dirty = await dirtyTrackedFiles(dir, isAppManagedPath);
      if (dirty.length) {
        const { prefix } = await repoPlace(dir);
        const where = prefix ? `The project folder (${prefix}/ of its repository; changes elsewhere in the repository are not checked)` : 'The working tree';
        throw new RunStartError(
          `${where} has uncommitted changes to tracked files: ${dirty.join(', ')}. The baseline is the last commit, so these changes would be left out. Commit or stash them, then start again.`,
        );
      }
    }

    if (opts.gpus) {
      // GPUs are leased machine-wide before anything runs, so the refusal names the run holding them. The
      // project's choice (Setup → Slots) applies unless the host overrides it (the CLI's --gpus).
      const assigned = await leaseSlotGpus({
        env: opts.deps.env,
        projectDir: dir,
        tag,
        slots: config.slots,
        request: { ...(config.gpus.use !== null ? { gpus: config.gpus.use } : {}), perSlot: config.gpus.perSlot, ...opts.gpus },
        discover: async () => (await queryGpus({ env: opts.deps.env })).map((g) => g.index),
      }).catch((err: unknown) => {
        throw err instanceof GpuAssignError ? new RunStartError(err.message) : err;
      });
      config = { ...config, slots: assigned.slots };
      leases = assigned.leases;
    }
    // Exclude patterns are read from the repository's top: a project in a subfolder names its own folder.
    const { prefix } = await repoPlace(dir);
    await ensureExcluded(dir, ['.autoresearch/runs/', '.autoresearch/worktrees/', '.autoresearch/reports/', '.autoresearch/run.lock*'].map((p) => (prefix ? `/${prefix}/${p}` : p)));
    await mkdir(paths.logsDir, { recursive: true });
    await mkdir(paths.agentDir, { recursive: true });

    let record: RunRecord;
    let opening: JournalEvent;
    let start: string | null = null;
    const proposerName = opts.proposer ?? config.agent.proposer;
    const now = () => new Date().toISOString();
    if (journalExists) {
      await repairRun(dir, tag);
      // From the fold snapshot and the journal's tail (the whole journal when the snapshot does not match).
      record = (await loadRunRecord(paths.dir, paths.journal)).record;
      if (!record.startCommit) throw new RunStartError(`The journal of run "${tag}" has no start record; it cannot be resumed. Start a new run with another tag.`);
      // The branch points at the best kept commit, whatever the last event was: the app may have died
      // between recording a keep and moving the branch, or the branch was deleted by hand.
      const want = record.bestCommit ?? record.startCommit;
      if ((await readRef(dir, `refs/heads/${branch}`)) !== want) await updateRef(dir, `refs/heads/${branch}`, want);
      opening = { type: 'run-resume', at: now(), config, proposer: proposerName };
    } else {
      // The branch is made by the run once this run-start is journaled (run.ts): a start-up cut short before
      // then leaves no branch that would refuse the next start.
      start = (await headCommit(dir))!;
      record = emptyRunRecord();
      opening = {
        type: 'run-start',
        at: now(),
        version: 1,
        tag,
        branch,
        startCommit: start,
        config,
        proposer: proposerName,
        appVersion: opts.deps.appVersion,
      };
    }
    await writeResults(paths.results, record.experiments.values(), config.metric).catch((err: unknown) => {
      if (err instanceof LinkRefusedError) throw new RunStartError(err.message);
      if (!isDiskProblem(err)) throw err;
      throw new RunStartError(`Cannot write ${paths.results}: ${writeCause(err)}. Free space (or fix the disk) and start again; what was recorded so far is kept.`);
    });
    const proposer = await opts.deps.createProposer(proposerName, config);
    const handle = await createRun({ projectDir: dir, tag, config, proposer, record, opening, resumed: journalExists, ...(start ? { branchAt: start } : {}), deps: opts.deps });
    // The run is over for its host only once its GPUs are free again: a Start right after must find them free.
    // Then a fold snapshot of what this session added (when it is more than a quick read), so reopening the run
    // reads the snapshot and not the whole journal. Best effort: the journal is complete without it.
    const done = handle.done
      .finally(() => (leases.length ? releaseGpuLeases(leases).catch(() => undefined) : undefined))
      .then(async (outcome) => {
        await loadRunRecord(paths.dir, paths.journal).catch(() => undefined);
        return outcome;
      });
    return {
      ...handle,
      done,
      stop: async (o) => {
        await handle.stop(o);
        return done;
      },
    };
  } catch (err) {
    await releaseGpuLeases(leases).catch(() => undefined);
    await releaseLock(dir);
    if (err instanceof JournalWriteError) throw isDiskProblem(err.cause) ? new RunStartError(err.message) : err.cause;
    throw err;
  }
}
