// One run: N slots, each in its own worktree, after the setup and the baseline (baseline.ts). The
// scheduler (scheduler.ts) gives each slot its next experiment, from the proposal queue (proposal-queue.ts)
// or proposed in the slot itself; candidate.ts runs it and the decision step (decision-step.ts) moves the
// branch. The harness decides; the proposer only edits files in its workspace. Every state change goes through `append`, which writes the journal
// (fsync'd), folds the event into the in-memory record, and tells the listeners — so the journal, the
// record and the UI never disagree.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { LiveRun, LiveSlot, RunState, SlotPhase } from '../../shared/api.js';
import { effectiveTimeoutSeconds, proposalQueueDepth, type ProjectConfig } from '../../shared/config.js';
import { FAILURE_STATUSES, jobLabel, type Experiment } from '../../shared/experiment.js';
import type { JournalEvent, StopReason } from '../../shared/journal.js';
import type { Proposer } from '../agent/proposer.js';
import type { Executor, JobRef } from '../exec/executor.js';
import { slotExecutors } from '../exec/executor-for-slot.js';
import { sandboxMode, sandboxWarning } from '../exec/sandbox.js';
import { resetTo } from '../git/reset-to.js';
import { updateRef } from '../git/update-ref.js';
import { JournalWriteError, openJournalWriter } from '../journal/append.js';
import { keepSnapshots } from '../journal/live-snapshot.js';
import { foldEvent, lastIdOf, pendingApprovals, type RunRecord } from '../journal/fold.js';
import { appendResultsRow, writeResults } from '../journal/results-tsv.js';
import { proposalWorktree, runPaths } from '../project/paths.js';
import { auditRun } from './audit-run.js';
import { runBaseline, runSetup } from './baseline.js';
import { approvalEventFromInbox } from './approval.js';
import { errorMessage, isoNow, type RunContext, type SlotState } from './context.js';
import { experimentEnv } from './experiment-env.js';
import { protectedHashesAt, type ProtectedHashes } from './protected-files.js';
import { releaseLock } from '../project/run-lock.js';
import { branchFor } from './refs.js';
import { progressOf, shouldStop } from './stop-conditions.js';
import { createProposalQueue, type ProposalQueue } from './proposal-queue.js';
import { runSlots } from './scheduler.js';
import { prepareWorktreeAt, removeUnusedWorktrees } from '../exec/worktrees.js';
import type { LoopDeps, LoopEvent, RunHandle, RunOutcome } from './types.js';
import { commandSandbox } from './sandbox-spec.js';

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

export async function createRun(input: CreateRunInput): Promise<RunHandle> {
  const { projectDir, tag, config, proposer, deps } = input;
  const record = input.record;
  const paths = runPaths(projectDir, tag);
  const sleep = deps.sleep ?? defaultSleep;
  // The fold snapshot follows the run, so a reopen after a kill reads it and a short tail of the journal.
  const journal = await keepSnapshots(await openJournalWriter(paths.journal), { runDir: paths.dir, journal: paths.journal, record: () => record });
  const listeners = new Set<(e: LoopEvent) => void>();
  const abort = new AbortController();
  const sessionStart = Date.now();

  let state: RunState = 'starting';
  let stopRequest: { reason: StopReason; message: string; graceful: boolean } | null = null;
  let resumeGate: { promise: Promise<void>; open: () => void } | null = null;
  let consecutiveFailures = 0;
  let protectedHashes: ProtectedHashes = new Map();

  const emit = (e: LoopEvent) => {
    for (const l of listeners) {
      try {
        l(e);
      } catch {
        // A broken listener (a closed window) must never stop the run.
      }
    }
  };

  // Appends are serialised by the writer; folding happens in call order, which is the write order.
  // Counted incrementally so that nothing the loop does per experiment grows with the run's history.
  const counts = (e: Experiment | undefined) => (e && e.kind === 'candidate' && e.status !== 'interrupted' ? 1 : 0);
  // Decided candidates: what the progress toward max experiments shows (a proposal waiting for approval, a
  // queued one or a running one is not done yet, though it counts toward the limit).
  const decided = (e: Experiment | undefined) => (counts(e) && e!.status !== 'running' ? 1 : 0);
  let candidateCount = 0;
  let decidedCount = 0;
  for (const e of record.experiments.values()) {
    candidateCount += counts(e);
    decidedCount += decided(e);
  }
  let historyCache: Experiment[] | null = null;

  /** Ids that have a row in results.tsv (start-run rewrote it from the journal). */
  const rowIds = new Set([...record.experiments.values()].filter((e) => e.status !== 'running').map((e) => e.id));

  /**
   * Candidate ids handed out whose experiment-start is not recorded yet: being proposed, or queued (made,
   * waiting for a slot; a resumed run's queue from the journal too). They count toward max experiments.
   */
  const reservedIds = new Set<number>(record.queuedProposals.keys());
  let queue: ProposalQueue | null = null;
  /** The last experiment to end, for the crash tail in a pipelined proposal's prompt. */
  let lastEnded: { status: Experiment['status']; tail: string | null } | null = null;

  /** Set when the journal could not be written: the run stops at once, with this message. */
  let journalFailure: JournalWriteError | null = null;

  // Written first, then folded and shown: what the record, results.tsv and the UI hold is on disk. Appends are
  // serialised by the writer and each is folded as soon as its write returns, so folding keeps the write order.
  const append = async (given: JournalEvent) => {
    // Every experiment records where it runs: its slot's executor (a remote job's exact place follows at its start).
    const event: JournalEvent =
      given.type === 'experiment-start' && given.experiment.where === undefined ? { ...given, experiment: { ...given.experiment, where: executorOf(given.experiment.slot).where ?? 'local' } } : given;
    try {
      await journal.append(event);
    } catch (err) {
      if (err instanceof JournalWriteError && !journalFailure) {
        // Nothing more can be recorded, so nothing more may happen: running experiments are killed.
        journalFailure = err;
        requestStop('error', err.message, false);
      }
      throw err;
    }
    const id = event.type === 'experiment-start' || event.type === 'experiment-end' ? event.experiment.id : null;
    if (event.type === 'experiment-start') reservedIds.delete(event.experiment.id);
    const before = id !== null ? record.experiments.get(id) : undefined;
    foldEvent(record, event);
    journal.folded();
    if (id !== null) {
      candidateCount += counts(record.experiments.get(id)) - counts(before);
      decidedCount += decided(record.experiments.get(id)) - decided(before);
      historyCache = null;
    }
    // A best measured again has a new mean: its results.tsv row follows the journal's fold.
    if (event.type === 'best-remeasured' && rowIds.has(event.id)) await writeResults(paths.results, record.experiments.values(), config.metric).catch(() => undefined);
    emit({ kind: 'journal', event });
  };

  /** Finished experiments, oldest first; rebuilt only when an experiment starts or ends. */
  const finishedHistory = (): readonly Experiment[] => {
    historyCache ??= [...record.experiments.values()].filter((e) => e.status !== 'running');
    return historyCache;
  };

  const slots: SlotState[] = config.slots.map((_, index) => ({
    index,
    worktree: '',
    phase: 'idle',
    experimentId: null,
    description: null,
    experimentStartedAt: null,
    phaseStartedAt: null,
    metricsSoFar: {},
    waitingReason: null,
    lastStatus: null,
    lastLogTail: null,
    job: null,
  }));

  const stopInputs = () => ({
    stop: config.stop,
    direction: config.metric.direction,
    // Ids handed out but not started yet count too: two slots checking at once must not both start the last one.
    candidates: candidateCount + reservedIds.size,
    decided: decidedCount,
    hours: (Date.now() - sessionStart) / 3_600_000,
    costUsd: record.costUsd,
    best: record.best,
    consecutiveFailures,
  });

  const live = (): LiveRun => ({
    tag,
    state,
    budgetSeconds: config.budget.seconds,
    timeoutSeconds: effectiveTimeoutSeconds(config),
    slots: slots.map(
      (s): LiveSlot => ({
        slot: s.index,
        env: config.slots[s.index]?.env ?? {},
        phase: s.phase,
        experimentId: s.experimentId,
        description: s.description,
        experimentStartedAt: s.experimentStartedAt,
        phaseStartedAt: s.phaseStartedAt,
        metricsSoFar: { ...s.metricsSoFar },
        waitingReason: s.waitingReason,
        where: executorOf(s.index).where ?? 'local',
        job: s.job,
      }),
    ),
    stopConditions: progressOf(stopInputs()),
  });

  const emitLive = () => emit({ kind: 'live', live: live() });

  const setState = (next: RunState) => {
    if (state === next) return;
    state = next;
    emitLive();
  };

  const setPhase = (slot: SlotState, phase: SlotPhase, extra: Partial<SlotState> = {}) => {
    Object.assign(slot, extra);
    slot.phase = phase;
    slot.phaseStartedAt = isoNow();
    if (phase !== 'waiting') slot.waitingReason = null;
    emitLive();
  };

  const requestStop = (reason: StopReason, message: string, graceful: boolean) => {
    if (stopRequest && (!stopRequest.graceful || graceful)) return;
    stopRequest = { reason, message, graceful };
    setState('stopping');
    if (!graceful) abort.abort();
    // No new proposals; slots waiting for one go home. What is queued stays in the journal for a resume.
    void queue?.close();
    resumeGate?.open();
  };

  // ------------------------------------------------------------------------------------------------
  // Steering notes: the app calls steer(); `autoresearch steer` from another process drops a file in
  // the run's inbox, imported before each proposal. Answers to proposals waiting for approval come the
  // same way, from the app and the CLI alike (approval-answer.ts), and are imported while they wait.

  const inboxDir = path.join(paths.dir, 'inbox');
  const importInboxOnce = async () => {
    const files = (await readdir(inboxDir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
    for (const f of files) {
      const file = path.join(inboxDir, f);
      try {
        const parsed = JSON.parse(await readFile(file, 'utf8')) as { note: string; at?: string };
        const answer = approvalEventFromInbox(parsed, record);
        if (answer) await append(answer);
        else if (typeof parsed.note === 'string' && parsed.note.trim()) await append({ type: 'steer', at: parsed.at ?? isoNow(), note: parsed.note.trim() });
      } catch {
        // A half-written note is picked up next time; a corrupt one is dropped below.
      }
      await rm(file, { force: true });
    }
  };
  // One import at a time: slots waiting for approval poll the inbox together, and a note or an answer must be
  // journaled once, not by every slot that read the file before the first one removed it.
  let inboxChain: Promise<void> = Promise.resolve();
  const importInbox = (): Promise<void> => (inboxChain = inboxChain.then(importInboxOnce, importInboxOnce));

  // ------------------------------------------------------------------------------------------------
  // Recording the end of an experiment.


  const finish = async (slot: SlotState, e: Experiment, tail: string | null) => {
    const finishedAt = isoNow();
    const ended: Experiment = {
      ...e,
      finishedAt,
      timings: { ...e.timings, totalMs: Date.parse(finishedAt) - Date.parse(e.startedAt) },
    };
    await append({ type: 'experiment-end', at: finishedAt, experiment: ended });
    // One row per experiment, as the journal folds it: a baseline measured again after an interruption
    // replaces its row rather than adding a second one.
    const written = rowIds.has(ended.id)
      ? writeResults(paths.results, record.experiments.values(), config.metric)
      : appendResultsRow(paths.results, ended, config.metric);
    rowIds.add(ended.id);
    await written.catch(() => undefined);
    // A proposal the researcher rejected is their call, not a failure of the run: the breaker does not count it.
    if (ended.kind === 'candidate' && ended.approval?.state !== 'reject') {
      if (FAILURE_STATUSES.has(ended.status)) consecutiveFailures += 1;
      else if (ended.status !== 'interrupted') consecutiveFailures = 0;
    }
    slot.lastStatus = ended.status;
    slot.lastLogTail = tail;
    lastEnded = { status: ended.status, tail };
    setPhase(slot, 'idle', { experimentId: null, description: null, experimentStartedAt: null, metricsSoFar: {} });
    return ended;
  };

  const current = (id: number): Experiment => record.experiments.get(id)!;

  let decisionChain: Promise<unknown> = Promise.resolve();
  const withDecisionLock = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = decisionChain.then(fn, fn);
    decisionChain = next.catch(() => undefined);
    return next;
  };

  // Decided once per run: agent-written code runs under bubblewrap when it works here (exec/sandbox.ts).
  const sandbox = await sandboxMode(deps.env);
  const sandboxFor: RunContext['sandboxFor'] = (cwd, kind) =>
    sandbox.bwrap ? { bwrap: sandbox.bwrap, spec: commandSandbox(projectDir, cwd, config, deps.env, kind) } : null;

  // Where experiments run (exec/executor.ts): this machine unless the host passes another executor.
  // A host-given executor (tests, an embedding app) runs every slot; otherwise each slot's setting picks its own.
  const given = deps.executor?.(projectDir, config);
  const executors: Executor[] = given ? config.slots.map(() => given) : slotExecutors({ projectDir, config, env: deps.env });
  const executorOf = (slot: number): Executor => executors[slot] ?? executors[0]!;

  const runProcess: RunContext['runProcess'] = async (r) => {
    let started = null as JobRef | null;
    // A job queued elsewhere (Slurm) shows as waiting with the queue's reason; its phase (and clock) start when it runs.
    const phase = r.slot.phase;
    const result = await executorOf(r.slot.index).run({
      command: r.command,
      cwd: r.cwd,
      env: experimentEnv({
        base: deps.env,
        config,
        slot: r.slot.index,
        tag,
        id: r.id,
        runDir: paths.dir,
        nodePath: deps.nodePath,
        ...(deps.nodeEnv ? { nodeEnv: deps.nodeEnv } : {}),
      }),
      logFile: paths.abs(r.logRel),
      logMaxBytes: config.logMaxBytes,
      timeoutMs: r.timeoutMs,
      graceMs: config.budget.graceSeconds * 1000,
      signal: abort.signal,
      sandbox: sandboxFor(r.cwd, 'trainer'),
      // Journaled (fsync'd) before the command is waited on: if the app dies now, the next start finds it.
      onStart: async (p) => {
        started = p;
        if (p.remote) {
          r.slot.job = jobLabel(p.remote);
          emitLive();
        }
        await append({ type: 'process-start', at: isoNow(), id: r.id, pid: p.pid, pgid: p.pgid, what: r.what, slot: r.slot.index, ...(p.remote ? { remote: p.remote } : {}) });
      },
      onEscaped: async (escaped) => {
        await append({ type: 'notice', at: isoNow(), level: 'warning', id: r.id, message: `Killed ${escaped.length} process(es) that the ${r.what} command left running outside its process group (pid ${escaped.join(', ')}).` });
      },
      ...(r.onOutput ? { onOutput: r.onOutput } : {}),
      onWaiting: (reason) => (reason === null ? setPhase(r.slot, phase) : setPhase(r.slot, 'waiting', { waitingReason: reason })),
    });
    if (r.slot.job !== null) {
      r.slot.job = null;
      emitLive();
    }
    if (started) await append({ type: 'process-end', at: isoNow(), id: r.id, pgid: started.pgid, ...(started.remote ? { remote: started.remote } : {}) });
    return result;
  };

  const ctx: RunContext = {
    projectDir,
    tag,
    config,
    paths,
    deps,
    proposer,
    record,
    signal: abort.signal,
    sleep,
    protectedHashes: () => protectedHashes,
    append,
    emit,
    emitLive,
    setPhase,
    finish,
    current,
    finishedHistory,
    importInbox,
    requestStop,
    stopRequested: () => stopRequest !== null,
    withDecisionLock,
    runProcess,
    sandboxFor,
  };

  // ------------------------------------------------------------------------------------------------
  // The slots and the proposers working ahead of them.

  let nextId = lastIdOf(record) + 1;
  // Proposals an earlier session left waiting for approval are taken up first, under their own ids.
  const waitingIds = pendingApprovals(record).map((a) => a.request.id);

  const waitWhilePaused = async () => {
    while (resumeGate && !stopRequest) {
      const allIdle = slots.every((s) => s.phase === 'idle' || s.phase === 'waiting');
      if (allIdle) setState('paused');
      await resumeGate.promise;
    }
  };

  const reserve = () => {
    const id = nextId++;
    reservedIds.add(id);
    return id;
  };

  /** An engine failure (git broke, disk full) must not lose the run: record it and go on, unless it repeats. */
  const recover = async (slot: SlotState, id: number, err: unknown) => {
    const message = `Experiment ${id} failed inside the app: ${errorMessage(err)}`;
    await append({ type: 'notice', at: isoNow(), level: 'error', message, id }).catch(() => undefined);
    const e = record.experiments.get(id);
    if (e && e.status === 'running') await finish(slot, { ...e, status: abort.signal.aborted ? 'interrupted' : 'crash', error: message }, null).catch(() => undefined);
    else consecutiveFailures += 1;
    await resetTo(slot.worktree, record.bestCommit!, config.files.linked).catch(async () => {
      slot.worktree = (await executorOf(slot.index).prepareWorkspace(slot.index, record.bestCommit!)).path;
    });
  };

  queue = createProposalQueue({
    ctx,
    depth: proposalQueueDepth(config),
    initial: [...record.queuedProposals.values()].sort((a, b) => a.id - b.id).map(({ type: _type, at, ...made }) => ({ made, madeAt: at, remakes: 0 })),
    // Proposers stop handing out ids at the limit (counting those being made and queued), and on any other
    // stop condition, which stops the run gracefully.
    reserve: () => {
      if (stopRequest) return null;
      const stop = shouldStop(stopInputs());
      if (stop) {
        if (stop.reason !== 'max-experiments') requestStop(stop.reason, stop.message, true);
        return null;
      }
      return reserve();
    },
    release: (id) => reservedIds.delete(id),
    waitWhilePaused,
    stopping: () => stopRequest !== null,
    worktree: async (k, commit) => (await prepareWorktreeAt(projectDir, proposalWorktree(projectDir, k), commit, config.files.linked)).path,
    lastCrashLogTail: () => (lastEnded && (lastEnded.status === 'crash' || lastEnded.status === 'timeout') ? lastEnded.tail : null),
  });

  const scheduleSlots = () =>
    runSlots({
      ctx,
      slots,
      queue: queue!,
      waitWhilePaused,
      stopping: () => stopRequest !== null,
      // A slot taking a queued proposal counts only what started: the queue never holds more than the limit.
      stopNow: (countReserved) => shouldStop({ ...stopInputs(), candidates: candidateCount + (countReserved ? reservedIds.size : 0) }),
      reserve,
      takeWaiting: () => {
        const id = waitingIds.shift();
        if (id === undefined) return null;
        reservedIds.add(id);
        return id;
      },
      release: (id) => reservedIds.delete(id),
      recover,
    });

  const main = async (): Promise<RunOutcome> => {
    try {
      await append(input.opening);
      if (input.branchAt) await updateRef(projectDir, `refs/heads/${branchFor(tag)}`, input.branchAt);
      const warning = sandboxWarning(sandbox.mode);
      if (warning) await append({ type: 'notice', at: isoNow(), level: 'warning', message: warning });
      // Worktrees first: a broken one from a crash is rebuilt here.
      const startAt = record.bestCommit ?? record.startCommit;
      for (const slot of slots) {
        const { path: wt, repaired } = await executorOf(slot.index).prepareWorkspace(slot.index, startAt);
        slot.worktree = wt;
        if (repaired) await append({ type: 'notice', at: isoNow(), level: 'info', message: `The worktree of slot ${slot.index} was damaged and has been rebuilt.` });
      }
      protectedHashes = await protectedHashesAt(projectDir, record.startCommit, config.files.protected);
      setState('running');

      if (config.run.setup && !input.resumed) {
        const setup = await runSetup(ctx, slots[0]!);
        if (setup) return await end('error', setup);
      }
      const baseline = record.experiments.get(0);
      if (!baseline || baseline.status !== 'keep') {
        const ok = await runBaseline(ctx, slots[0]!);
        if (!ok) {
          if (stopRequest) return await end(stopRequest.reason, stopRequest.message);
          const b = record.experiments.get(0);
          return await end('error', `${b?.error ?? 'The baseline failed.'}\nFix the run command or the code, then start the run again.`);
        }
      }
      queue.start();
      await scheduleSlots();
      await queue.close();
      if (!stopRequest) {
        // Every slot went home with nothing left to run: the limit was reached, or the proposer ran out of ideas.
        const stop = shouldStop(stopInputs());
        const exhausted = queue.exhausted();
        if (stop) requestStop(stop.reason, stop.message, true);
        else if (exhausted) requestStop('exhausted', exhausted, true);
      }
      const s = stopRequest as { reason: StopReason; message: string } | null;
      // Every stop sets a reason; none here means the slots went home short of every limit, which is a bug.
      return await end(s?.reason ?? 'error', s?.message ?? 'Every slot stopped with nothing left to run before any stop condition was met. This is a bug in the app: resume the run with the same tag, and report it with the run folder.');
    } catch (err) {
      return await end('error', `The run stopped because of an error in the app: ${errorMessage(err)}`);
    }
  };

  /** Endings after which the configured audit runs (a user stop or an error skips it). */
  const AUDITED_ENDINGS: ReadonlySet<StopReason> = new Set(['max-experiments', 'max-hours', 'max-cost', 'target']);
  let ended = false;
  const end = async (given: StopReason, givenMessage: string): Promise<RunOutcome> => {
    // A journal that cannot be written is why the run ends, whatever else was going on.
    const reason = journalFailure ? 'error' : given;
    const message = journalFailure ? journalFailure.message : givenMessage;
    if (!ended) {
      ended = true;
      for (const s of slots) setPhase(s, 'idle', { experimentId: null, description: null });
      if (!journalFailure && AUDITED_ENDINGS.has(reason) && config.acceptance.auditRepeats > 0 && record.bestId !== null && record.bestId !== 0 && !abort.signal.aborted) {
        // The optional audit at the end of a run: the baseline and the best again, interleaved, in these slots.
        setPhase(slots[0]!, 'running', { description: `audit of the best (#${record.bestId})` });
        await auditRun({ projectDir, tag, repeats: config.acceptance.auditRepeats, env: deps.env, nodePath: deps.nodePath, ...(deps.nodeEnv ? { nodeEnv: deps.nodeEnv } : {}), signal: abort.signal, lockHeld: true })
          .then((a) => foldEvent(record, a))
          .catch((err: Error) => append({ type: 'notice', at: isoNow(), level: 'warning', message: `The audit at the end of the run did not finish: ${err.message}` }).catch(() => undefined));
        setPhase(slots[0]!, 'idle', { description: null });
      }
      // A note or an approval answer that reached the inbox after the last proposal is journaled now, not left
      // in a folder nobody reads until a resume (a stopped run takes notes straight into its journal too).
      await importInbox().catch(() => undefined);
      await append({ type: 'run-stop', at: isoNow(), reason, message }).catch(() => undefined);
      state = 'stopped';
      emitLive();
      await journal.close().catch(() => undefined);
      await removeUnusedWorktrees(projectDir, [...record.experiments.values()].map((e) => e.slot)).catch(() => undefined); // slots it made and never used
      await releaseLock(projectDir);
    }
    return { reason, message };
  };

  await mkdir(inboxDir, { recursive: true });
  const done = main();

  return {
    tag,
    projectDir,
    runDir: paths.dir,
    resumed: input.resumed,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    record: () => record,
    live,
    state: () => state,
    pause() {
      if (stopRequest || resumeGate) return;
      let open!: () => void;
      const promise = new Promise<void>((resolve) => (open = resolve));
      resumeGate = { promise, open };
      setState(slots.every((s) => s.phase === 'idle') ? 'paused' : 'pausing');
    },
    resume() {
      if (!resumeGate) return;
      const gate = resumeGate;
      resumeGate = null;
      gate.open();
      if (!stopRequest) setState('running');
    },
    async stop(opts = {}) {
      requestStop(opts.reason ?? 'user', opts.message ?? (opts.reason === 'signal' ? 'Stopped by a signal (Ctrl-C or SIGTERM).' : 'Stopped by the user.'), opts.graceful ?? false);
      return done;
    },
    async steer(note) {
      const text = note.trim();
      if (!text) throw new Error('Write a note for the agent.');
      if (ended) {
        throw new Error('The run has stopped; resume it to steer.');
      }
      await append({ type: 'steer', at: isoNow(), note: text });
    },
    done,
  };
}
