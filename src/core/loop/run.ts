// One run: N slots, each in its own worktree, after the setup and the baseline (baseline.ts). createRun
// composes the parts, each with one job: the journal and its counters (run-journal.ts), pause/resume/stop
// (run-control.ts), the live view (run-live.ts), experiment ids (experiment-ids.ts), closing experiments
// (close-experiment.ts), the commands and their executors (run-process.ts), the inbox (inbox.ts), git
// (loop-git.ts) and the end with its audit (run-end.ts). The scheduler (scheduler.ts) gives each slot its next
// experiment and experiment.ts runs it: propose, commit, train, decide. The harness decides; the proposer only
// edits files in its workspace. Every state change goes through the journal's `append`: written (fsync'd)
// first, then folded into the in-memory record, then told to the listeners, so the journal, the record and
// the UI never disagree.
import { proposalQueueDepth, type ProjectConfig } from '../../shared/config.js';
import type { JournalEvent } from '../../shared/journal.js';
import type { Proposer } from '../agent/proposer.js';
import { sandboxWarning } from '../exec/sandbox.js';
import { prepareWorktreeAt, restoreWorktreeAt } from '../exec/worktrees.js';
import { openJournalWriter } from '../journal/append.js';
import { keepSnapshots } from '../journal/live-snapshot.js';
import type { RunRecord } from '../journal/fold.js';
import { proposalWorktree, runPaths } from '../project/paths.js';
import { Mutex } from '../util/mutex.js';
import { runBaseline, runSetup } from './baseline.js';
import { createCloser } from './close-experiment.js';
import { errorMessage, isoNow, type DecisionLock, type RunContext, type SlotState } from './context.js';
import { createExperimentIds } from './experiment-ids.js';
import { runExperiment } from './experiment.js';
import { openInbox } from './inbox.js';
import { createLoopGit } from './loop-git.js';
import { startPreCarry } from './pre-carry.js';
import { createProposalQueue, type ProposalQueue } from './proposal-queue.js';
import { protectedHashesAt, type ProtectedHashes } from './protected-files.js';
import { branchFor } from './refs.js';
import { createRunControl } from './run-control.js';
import { createRunEnd } from './run-end.js';
import { createRunJournal } from './run-journal.js';
import { createRunLive } from './run-live.js';
import { createRunCommands, type RunCommands } from './run-process.js';
import { heldoutAtEnd } from './heldout.js';
import { runStartHook, runStopHook } from './hooks.js';
import { runSlots } from './scheduler.js';
import { progressOf, shouldStop, type StopInputs } from './stop-conditions.js';
import type { LoopDeps, RunHandle, RunOutcome } from './types.js';

interface CreateRunInput {
  readonly projectDir: string;
  readonly tag: string;
  readonly config: ProjectConfig;
  readonly proposer: Proposer;
  readonly record: RunRecord;
  /** run-start for a new run, run-resume for a continued one. */
  readonly opening: JournalEvent;
  readonly resumed: boolean;
  /** A new run: its branch is created at this commit once run-start is journaled (so no branch without a journal). */
  readonly branchAt?: string;
  readonly deps: LoopDeps;
}

const defaultSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** Decisions that move the branch, one at a time across slots, in call order; a failed one fails only its caller. */
function decisionLock(): DecisionLock {
  const mutex = new Mutex();
  return { withDecisionLock: (fn) => mutex.runExclusive(fn) };
}

/** Open the run: journaled, the branch made, each slot's workspace at the best; the protected files' hashes. */
async function openRun(ctx: RunContext, a: { readonly opening: JournalEvent; readonly branchAt: string | undefined; readonly slots: readonly SlotState[]; readonly commands: RunCommands }): Promise<ProtectedHashes> {
  const { record, config } = ctx;
  await ctx.append(a.opening);
  if (a.branchAt) await ctx.git.updateRef(`refs/heads/${branchFor(ctx.tag)}`, a.branchAt);
  const warning = sandboxWarning(a.commands.sandbox.mode);
  if (warning) await ctx.append({ type: 'notice', at: isoNow(), level: 'warning', message: warning });
  // Worktrees first: a broken one from a crash is rebuilt here.
  const startAt = record.bestCommit ?? record.startCommit;
  for (const slot of a.slots) {
    const { path: wt, repaired } = await a.commands.executorOf(slot.index).prepareWorkspace(slot.index, startAt);
    slot.worktree = wt;
    if (repaired) await ctx.append({ type: 'notice', at: isoNow(), level: 'info', message: `The worktree of slot ${slot.index} was damaged and has been rebuilt.` });
  }
  return protectedHashesAt(ctx.projectDir, record.startCommit, config.files.protected);
}

export async function createRun(input: CreateRunInput): Promise<RunHandle> {
  const { projectDir, tag, config, proposer, deps, record } = input;
  const paths = runPaths(projectDir, tag);
  const sessionStart = Date.now();
  let queue: ProposalQueue | null = null;

  // The fold snapshot follows the run, so a reopen after a kill reads it and a short tail of the journal.
  const writer = await keepSnapshots(await openJournalWriter(paths.journal), { runDir: paths.dir, journal: paths.journal, record: () => record });
  const ids = createExperimentIds(record);
  const journal = createRunJournal({
    writer,
    record,
    // Every experiment records where it runs: its slot's executor (a remote job's exact place follows at its start).
    complete: (e) => (e.type === 'experiment-start' && e.experiment.where === undefined ? { ...e, experiment: { ...e.experiment, where: commands.executorOf(e.experiment.slot).where ?? 'local' } } : e),
    afterFold: async (e) => {
      if (e.type === 'experiment-start') ids.started(e.experiment.id);
      await closer.folded(e);
    },
    // Nothing more can be recorded, so nothing more may happen: running experiments are killed.
    onWriteFailure: (err) => control.requestStop('error', err.message, false),
  });
  const control = createRunControl({ onState: () => live.emitLive(), onStop: () => void queue?.close(), slotsIdle: (w) => live.slotsIdle(w) });
  const stopInputs = (): StopInputs => ({
    stop: config.stop,
    direction: config.metric.direction,
    // Ids handed out but not started yet count too: two slots checking at once must not both start the last one.
    candidates: journal.counts().candidates + ids.reservedCount(),
    decided: journal.counts().decided,
    hours: (Date.now() - sessionStart) / 3_600_000,
    costUsd: record.costUsd,
    best: record.best,
    consecutiveFailures: closer.consecutiveFailures(),
  });
  const live = createRunLive({ tag, config, state: control.state, where: (i) => commands.executorOf(i).where ?? 'local', progress: () => progressOf(stopInputs()), emit: journal.emit });
  const { slots, setPhase, emitLive } = live;
  const closer = createCloser({ record, append: journal.append, setPhase, results: paths.results, metric: config.metric });
  const commands = await createRunCommands({ projectDir, tag, config, paths, deps, signal: control.signal, append: journal.append, setPhase, emitLive });
  const importInbox = await openInbox(paths.dir, journal);
  let protectedHashes: ProtectedHashes = new Map();

  const ctx: RunContext = {
    projectDir,
    tag,
    config,
    paths,
    deps,
    proposer,
    record,
    git: createLoopGit(projectDir, config.files.linked),
    signal: control.signal,
    sleep: deps.sleep ?? defaultSleep,
    protectedHashes: () => protectedHashes,
    append: journal.append,
    emit: journal.emit,
    emitLive,
    setPhase,
    close: closer.close,
    current: closer.current,
    finishedHistory: journal.finishedHistory,
    importInbox,
    requestStop: control.requestStop,
    stopRequested: control.stopRequested,
    ...decisionLock(),
    runProcess: commands.runProcess,
    sandboxFor: commands.sandboxFor,
  };

  /** An engine failure (git broke, disk full) must not lose the run: record it and go on, unless it repeats. */
  const recover = async (slot: SlotState, id: number, err: unknown) => {
    const message = `Experiment ${id} failed inside the app: ${errorMessage(err)}`;
    await journal.append({ type: 'notice', at: isoNow(), level: 'error', message, id }).catch(() => undefined);
    const e = record.experiments.get(id);
    if (e && e.status === 'running') await closer.close(slot, id, { status: control.signal.aborted ? 'interrupted' : 'crash', error: message }, null).catch(() => undefined);
    else closer.countFailure();
    await ctx.git.resetTo(slot.worktree, record.bestCommit!).catch(async () => {
      slot.worktree = (await commands.executorOf(slot.index).prepareWorkspace(slot.index, record.bestCommit!)).path;
    });
  };

  queue = createProposalQueue({
    ctx,
    depth: proposalQueueDepth(config),
    initial: [...record.queuedProposals.values()].sort((a, b) => a.id - b.id).map(({ type: _type, at, ...made }) => ({ made, madeAt: at, remakes: 0 })),
    // Proposers stop handing out ids at the limit (counting those being made and queued), and on any other
    // stop condition, which stops the run gracefully.
    reserve: () => {
      if (control.stopRequested()) return null;
      const stop = shouldStop(stopInputs());
      if (stop) {
        if (stop.reason !== 'max-experiments') control.requestStop(stop.reason, stop.message, true);
        return null;
      }
      return ids.reserve();
    },
    release: ids.release,
    waitWhilePaused: control.waitWhilePaused,
    stopping: control.stopRequested,
    worktree: async (k, commit, left, scratch) => {
      const wt = proposalWorktree(projectDir, k);
      // The last proposal there changed a few files on this same base: those alone go back (no checkout).
      const back = scratch?.base === commit ? await restoreWorktreeAt(projectDir, wt, commit, scratch.paths, config.files.linked) : null;
      return back ?? (await prepareWorktreeAt(projectDir, wt, commit, config.files.linked, { nothingUntracked: left === 'clean' })).path;
    },
    lastCrashLogTail: closer.lastCrashTail,
    subscribe: journal.subscribe,
  });
  // Proposals made ahead on the best are carried onto the candidate training now while it trains, for its keep.
  if (queue.depth > 0) startPreCarry({ tag, record, git: ctx.git, subscribe: journal.subscribe, onConflict: queue.conflictedAhead });

  const runEnd = createRunEnd({ projectDir, tag, config, record, deps, slots, signal: control.signal, append: journal.append, setPhase, importInbox, journalFailure: journal.failure, setState: control.setState, closeJournal: journal.close, beforeStop: (reason, message) => runStopHook(ctx, reason, message) });
  const end = runEnd.end;

  const main = async (): Promise<RunOutcome> => {
    try {
      protectedHashes = await openRun(ctx, { opening: input.opening, branchAt: input.branchAt, slots, commands });
      control.setState('running');
      await runStartHook(ctx, input.resumed);
      // A start hook that failed with hooks.failStopsRun: nothing of the run is set up or measured.
      const hookStop = control.stopRequest();
      if (hookStop) return await end(hookStop.reason, hookStop.message);
      if (config.run.setup && !input.resumed) {
        const setup = await runSetup(ctx, slots[0]!);
        if (setup) return await end('error', setup);
      }
      const baseline = record.experiments.get(0);
      if (!baseline || baseline.status !== 'keep') {
        // The proposers start as soon as the baseline's first repeat has measured (baseline.ts): they propose on
        // the unchanged code while the other repeats run.
        const ok = await runBaseline(ctx, slots[0]!, () => queue!.start());
        if (!ok) {
          // Proposals made meanwhile stay queued in the journal for a resume; nothing more is made now.
          await queue.close();
          const stop = control.stopRequest();
          if (stop) return await end(stop.reason, stop.message);
          const b = record.experiments.get(0);
          return await end('error', `${b?.error ?? 'The baseline failed.'}\nFix the run command or the code, then start the run again.`);
        }
      }
      queue.start();
      await runSlots({
        slots,
        queue,
        run: (slot, source) => runExperiment(ctx, slot, source),
        started: (id) => record.experiments.has(id),
        setPhase,
        requestStop: control.requestStop,
        waitWhilePaused: control.waitWhilePaused,
        stopping: control.stopRequested,
        // A slot taking a queued proposal counts only what started: the queue never holds more than the limit.
        stopNow: (countReserved) => shouldStop({ ...stopInputs(), candidates: journal.counts().candidates + (countReserved ? ids.reservedCount() : 0) }),
        reserve: ids.reserve,
        takeWaiting: ids.takeWaiting,
        release: ids.release,
        recover,
      });
      await queue.close();
      if (!control.stopRequested()) {
        // Every slot went home with nothing left to run: the limit was reached, or the proposer ran out of ideas.
        const stop = shouldStop(stopInputs());
        const exhausted = queue.exhausted();
        if (stop) control.requestStop(stop.reason, stop.message, true);
        else if (exhausted) control.requestStop('exhausted', exhausted, true);
      }
      const s = control.stopRequest();
      if (s?.graceful !== false) await heldoutAtEnd(ctx, slots[0]!);
      // Every stop sets a reason; none here means the slots went home short of every limit, which is a bug.
      return await end(s?.reason ?? 'error', s?.message ?? 'Every slot stopped with nothing left to run before any stop condition was met. This is a bug in the app: resume the run with the same tag, and report it with the run folder.');
    } catch (err) {
      return await end('error', `The run stopped because of an error in the app: ${errorMessage(err)}`);
    }
  };

  const done = main();

  return {
    tag,
    projectDir,
    runDir: paths.dir,
    resumed: input.resumed,
    subscribe: journal.subscribe,
    record: () => record,
    live: live.live,
    state: control.state,
    pause: control.pause,
    resume: control.resume,
    async stop(opts = {}) {
      control.requestStop(opts.reason ?? 'user', opts.message ?? (opts.reason === 'signal' ? 'Stopped by a signal (Ctrl-C or SIGTERM).' : 'Stopped by the user.'), opts.graceful ?? false);
      return done;
    },
    async steer(note) {
      const text = note.trim();
      if (!text) throw new Error('Write a note for the agent.');
      if (runEnd.ended()) throw new Error('The run has stopped; resume it to steer.');
      await journal.append({ type: 'steer', at: isoNow(), note: text });
    },
    done,
  };
}
