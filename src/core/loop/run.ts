// The scheduler of one run: N slots, each in its own worktree, each looping propose → commit → verify →
// run → measure → decide → record. The harness decides; the proposer only edits files in its workspace.
// Every state change goes through `append`, which writes the journal (fsync'd), folds the event into the
// in-memory record, and tells the listeners — so the journal, the record and the UI never disagree.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LiveRun, LiveSlot, RunState, SlotPhase } from '../../shared/api.js';
import { effectiveTimeoutSeconds, type ProjectConfig } from '../../shared/config.js';
import { addUsage, FAILURE_STATUSES, type Experiment, type ExperimentRunResult, type ExperimentStatus, type TokenUsage } from '../../shared/experiment.js';
import type { JournalEvent, StopReason } from '../../shared/journal.js';
import { ProposalAbortedError, ProposerFatalError, ProposerUnavailableError, type Proposal, type Proposer } from '../agent/proposer.js';
import { guardDiff, restoreFiles } from '../agent/diff-guard.js';
import { createWorkspace } from '../agent/workspace.js';
import { runCommand } from '../exec/run-command.js';
import { commitPaths } from '../git/commit.js';
import { diffCommits } from '../git/diff.js';
import { resetTo } from '../git/reset-to.js';
import { updateRef } from '../git/update-ref.js';
import { openJournalWriter, type JournalWriter } from '../journal/append.js';
import { foldEvent, type RunRecord } from '../journal/fold.js';
import { appendResultsRow } from '../journal/results-tsv.js';
import { createMetricScanner, explainMissingMetric, readJsonMetric, type MetricScan } from '../metric/index.js';
import { projectPaths, runPaths } from '../project/paths.js';
import { judge, mean, sampleStdDev } from './decide.js';
import { experimentEnv } from './experiment-env.js';
import { createLogBatcher } from './log-batcher.js';
import { changedProtectedFiles, protectedHashesAt, type ProtectedHashes } from './protected-files.js';
import { releaseLock } from './run-lock.js';
import { branchFor, candidateRef } from './refs.js';
import { progressOf, shouldStop } from './stop-conditions.js';
import type { LoopDeps, LoopEvent, RunHandle, RunOutcome } from './types.js';
import { prepareWorktree } from './worktrees.js';

interface CreateRunInput {
  readonly projectDir: string;
  readonly tag: string;
  readonly config: ProjectConfig;
  readonly proposer: Proposer;
  readonly record: RunRecord;
  /** run-start for a new run, run-resume for a continued one. */
  readonly opening: JournalEvent;
  readonly resumed: boolean;
  readonly deps: LoopDeps;
}

interface SlotState {
  readonly index: number;
  worktree: string;
  phase: SlotPhase;
  experimentId: number | null;
  description: string | null;
  experimentStartedAt: string | null;
  phaseStartedAt: string | null;
  metricsSoFar: Record<string, number>;
  waitingReason: string | null;
  /** Status and log of this slot's previous experiment, for the crash tail in the next prompt. */
  lastStatus: ExperimentStatus | null;
  lastLogTail: string | null;
}

const CRASH_TAIL_CHARS = 4000;
const BACKOFF_MS = [15_000, 30_000, 60_000, 120_000, 300_000];

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

const isoNow = () => new Date().toISOString();
const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function createRun(input: CreateRunInput): Promise<RunHandle> {
  const { projectDir, tag, config, proposer, deps } = input;
  const record = input.record;
  const paths = runPaths(projectDir, tag);
  const sleep = deps.sleep ?? defaultSleep;
  const journal: JournalWriter = await openJournalWriter(paths.journal);
  const listeners = new Set<(e: LoopEvent) => void>();
  const abort = new AbortController();
  const sessionStart = Date.now();

  let state: RunState = 'starting';
  let stopRequest: { reason: StopReason; message: string; graceful: boolean } | null = null;
  let resumeGate: { promise: Promise<void>; open: () => void } | null = null;
  let consecutiveFailures = 0;
  let protectedHashes: ProtectedHashes = new Map();
  const bestDiffCache = new Map<string, string>();

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
  let candidateCount = 0;
  for (const e of record.experiments.values()) candidateCount += counts(e);
  let historyCache: Experiment[] | null = null;

  const append = async (event: JournalEvent) => {
    const id = event.type === 'experiment-start' || event.type === 'experiment-end' ? event.experiment.id : null;
    const before = id !== null ? record.experiments.get(id) : undefined;
    foldEvent(record, event);
    if (id !== null) {
      candidateCount += counts(record.experiments.get(id)) - counts(before);
      historyCache = null;
    }
    await journal.append(event);
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
  }));

  const stopInputs = () => ({
    stop: config.stop,
    direction: config.metric.direction,
    candidates: candidateCount,
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
    resumeGate?.open();
  };

  // ------------------------------------------------------------------------------------------------
  // Steering notes: the app calls steer(); `autoresearch steer` from another process drops a file in
  // the run's inbox, imported before each proposal.

  const inboxDir = path.join(paths.dir, 'inbox');
  const importInbox = async () => {
    const files = (await readdir(inboxDir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
    for (const f of files) {
      const file = path.join(inboxDir, f);
      try {
        const { note, at } = JSON.parse(await readFile(file, 'utf8')) as { note: string; at?: string };
        if (typeof note === 'string' && note.trim()) await append({ type: 'steer', at: at ?? isoNow(), note: note.trim() });
      } catch {
        // A half-written note is picked up next time; a corrupt one is dropped below.
      }
      await rm(file, { force: true });
    }
  };

  // ------------------------------------------------------------------------------------------------
  // Measuring: one execution of the run command, its output streamed to the log, the UI and the scanner.

  interface Measurement {
    readonly result: ExperimentRunResult;
    readonly scan: MetricScan;
    readonly tail: string;
    readonly aborted: boolean;
    readonly spawnError: string | null;
  }

  const measure = async (slot: SlotState, id: number, runIndex: number): Promise<Measurement> => {
    const logRel = paths.logRel(id, runIndex);
    const scanner = createMetricScanner(config.metric);
    let metricsDirty = false;
    const batcher = createLogBatcher((text) => {
      emit({ kind: 'log', id, text });
      if (metricsDirty) {
        metricsDirty = false;
        slot.metricsSoFar = { ...scanner.scan().metrics };
        emitLive();
      }
    });
    const env = experimentEnv({
      base: deps.env,
      config,
      slot: slot.index,
      tag,
      id,
      runDir: paths.dir,
      nodePath: deps.nodePath,
      ...(deps.nodeEnv ? { nodeEnv: deps.nodeEnv } : {}),
    });
    let pgid = 0;
    const launchedAt = Date.now();
    const result = await runCommand({
      command: config.run.command,
      cwd: slot.worktree,
      env,
      logFile: paths.abs(logRel),
      logMaxBytes: config.logMaxBytes,
      timeoutMs: effectiveTimeoutSeconds(config) * 1000,
      graceMs: config.budget.graceSeconds * 1000,
      signal: abort.signal,
      onStart: async (p) => {
        pgid = p.pgid;
        await append({ type: 'process-start', at: isoNow(), id, pid: p.pid, pgid: p.pgid, what: 'run' });
      },
      onOutput: (text) => {
        scanner.push(text);
        metricsDirty = true;
        batcher.push(text);
      },
    });
    batcher.flush();
    batcher.dispose();
    if (pgid) await append({ type: 'process-end', at: isoNow(), id, pgid });
    scanner.end();
    let scan = scanner.scan();
    if (config.metric.extract.kind === 'json' && !result.spawnError) {
      // A results file left by an earlier experiment must not stand in for this one's.
      const fromJson = await readJsonMetric(config.metric as Parameters<typeof readJsonMetric>[0], slot.worktree, { writtenAfter: launchedAt });
      scan = { ...fromJson, metrics: { ...scan.metrics, ...fromJson.metrics } };
    }
    return {
      result: {
        metric: scan.value,
        metrics: scan.metrics,
        exitCode: result.exitCode,
        signal: result.signal,
        timedOut: result.timedOut,
        durationMs: result.durationMs,
        logPath: logRel,
      },
      scan,
      tail: result.tail,
      aborted: result.aborted,
      spawnError: result.spawnError,
    };
  };

  /** crash / timeout / interrupted, with the message a user can act on; null when the run measured a number. */
  const failureOf = (m: Measurement): { status: ExperimentStatus; error: string } | null => {
    if (m.aborted) return { status: 'interrupted', error: 'Stopped by the user while running.' };
    if (m.spawnError) return { status: 'crash', error: m.spawnError };
    if (m.result.timedOut) {
      return {
        status: 'timeout',
        error: `Killed after the ${effectiveTimeoutSeconds(config)} s timeout (budget ${config.budget.seconds} s). Last output:\n${m.tail.slice(-CRASH_TAIL_CHARS)}`,
      };
    }
    if (m.scan.invalid) {
      return { status: 'crash', error: `${config.metric.name} was ${m.scan.invalid === 'nan' ? 'NaN' : 'infinite'} (training diverged).` };
    }
    if (m.result.exitCode !== 0) {
      const how = m.result.exitCode === null ? `was killed by ${m.result.signal}` : `exited with code ${m.result.exitCode}`;
      return { status: 'crash', error: `The command ${how}. Last output:\n${m.tail.slice(-CRASH_TAIL_CHARS)}` };
    }
    if (m.scan.value === null) {
      return { status: 'crash', error: explainMissingMetric(config.metric, m.scan, m.tail) };
    }
    return null;
  };

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
    await appendResultsRow(paths.results, ended, config.metric).catch(() => undefined);
    if (ended.kind === 'candidate') {
      if (FAILURE_STATUSES.has(ended.status)) consecutiveFailures += 1;
      else if (ended.status !== 'interrupted') consecutiveFailures = 0;
    }
    slot.lastStatus = ended.status;
    slot.lastLogTail = tail;
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

  // ------------------------------------------------------------------------------------------------
  // The baseline: the unchanged start commit, run `baselineRuns` times; their spread is the noise floor.

  const runBaseline = async (): Promise<boolean> => {
    const slot = slots[0]!;
    const startedAt = isoNow();
    const base = runningExperiment({
      id: 0,
      kind: 'baseline',
      slot: 0,
      baseId: null,
      parentCommit: record.startCommit,
      commit: record.startCommit,
      description: 'baseline',
      hypothesis: 'The unchanged code, measured to compare every candidate against.',
      startedAt,
      logPath: paths.logRel(0),
    });
    await append({ type: 'experiment-start', at: startedAt, experiment: base });
    setPhase(slot, 'running', { experimentId: 0, description: 'baseline', experimentStartedAt: startedAt, metricsSoFar: {} });
    const runs: ExperimentRunResult[] = [];
    let last: Measurement | null = null;
    for (let i = 0; i < config.acceptance.baselineRuns; i++) {
      if (i > 0) setPhase(slot, 'confirming');
      last = await measure(slot, 0, i);
      runs.push(last.result);
      const failure = failureOf(last);
      if (failure) {
        await finish(slot, { ...current(0), status: failure.status, error: `The baseline failed. ${failure.error}`, runs, timings: { ...base.timings, trainingMs: sum(runs) } }, last.tail);
        return false;
      }
    }
    const values = runs.map((r) => r.metric!);
    const value = mean(values);
    await append({ type: 'noise-floor', at: isoNow(), values, spread: sampleStdDev(values) });
    const ended = await finish(
      slot,
      { ...current(0), status: 'keep', metric: value, metrics: last!.result.metrics, runs, timings: { ...base.timings, trainingMs: sum(runs) } },
      null,
    );
    await append({ type: 'best', at: isoNow(), id: 0, commit: record.startCommit, metric: ended.metric! });
    return true;
  };

  const sum = (runs: readonly ExperimentRunResult[]) => runs.reduce((s, r) => s + r.durationMs, 0);

  // ------------------------------------------------------------------------------------------------
  // One candidate.

  const bestDiff = async (): Promise<string> => {
    const best = record.bestCommit;
    if (!best || best === record.startCommit) return '';
    let diff = bestDiffCache.get(best);
    if (diff === undefined) {
      diff = await diffCommits(projectDir, record.startCommit, best).catch(() => '');
      bestDiffCache.clear();
      bestDiffCache.set(best, diff);
    }
    return diff;
  };

  const propose = async (slot: SlotState, id: number, base: Experiment): Promise<Proposal | 'interrupted' | { fatal: string }> => {
    const workspace = createWorkspace(slot.worktree, projectDir, config.files);
    const program = await readFile(projectPaths(projectDir).program, 'utf8').catch(() => '');
    // Tokens of attempts that failed on an outage still count (the spend cap must see them).
    let spentBefore: TokenUsage | null = null;
    for (let attempt = 0; ; attempt++) {
      if (abort.signal.aborted) return 'interrupted';
      await importInbox();
      const history = finishedHistory();
      try {
        const proposal = await proposer.propose({
          config,
          program,
          workspace,
          slot: slot.index,
          experimentId: id,
          base,
          baseline: record.experiments.get(0) ?? null,
          best: record.bestId !== null ? (record.experiments.get(record.bestId) ?? null) : null,
          noiseFloor: record.noiseFloor,
          history,
          bestDiff: await bestDiff(),
          lastCrashLogTail: slot.lastStatus === 'crash' || slot.lastStatus === 'timeout' ? slot.lastLogTail : null,
          steering: record.steering.map((s) => s.note),
          signal: abort.signal,
          scratchDir: paths.scratchDir,
          onStatus: (message) => {
            slot.waitingReason = message;
            emitLive();
          },
          // An agent CLI runs as its own process group: journal it, so a restarted app can kill an orphan.
          onProcessStart: (p) => void append({ type: 'process-start', at: isoNow(), id, pid: p.pid, pgid: p.pgid, what: 'agent' }).catch(() => undefined),
          onProcessEnd: (p) => void append({ type: 'process-end', at: isoNow(), id, pgid: p.pgid }).catch(() => undefined),
        });
        return spentBefore ? { ...proposal, usage: addUsage(spentBefore, proposal.usage) } : proposal;
      } catch (err) {
        if (abort.signal.aborted || err instanceof ProposalAbortedError) return 'interrupted';
        if (err instanceof ProposerFatalError) return { fatal: err.message };
        if (err instanceof ProposerUnavailableError) {
          spentBefore = addUsage(spentBefore, err.usage);
          const wait = err.retryAfterMs ?? BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
          const reason = `${err.message} Trying again in ${Math.round(wait / 1000)} s.`;
          await append({ type: 'notice', at: isoNow(), level: 'warning', message: reason, id });
          setPhase(slot, 'waiting', { waitingReason: reason });
          await sleep(wait, abort.signal);
          // The failed attempt may have edited files; start the next one from a clean base.
          await resetTo(slot.worktree, base.commit!, config.files.linked);
          setPhase(slot, 'proposing');
          continue;
        }
        return {
          description: 'the proposer failed',
          hypothesis: '',
          usage: null,
          transcript: null,
          rejectedReason: `The proposer failed: ${errorMessage(err)}`,
        };
      }
    }
  };

  const runCandidate = async (slot: SlotState, id: number) => {
    const base = record.experiments.get(record.bestId!)!;
    const parentCommit = record.bestCommit!;
    await resetTo(slot.worktree, parentCommit, config.files.linked);
    const startedAt = isoNow();
    const running = runningExperiment({ id, kind: 'candidate', slot: slot.index, baseId: base.id, parentCommit, startedAt });
    await append({ type: 'experiment-start', at: startedAt, experiment: running });
    setPhase(slot, 'proposing', { experimentId: id, description: null, experimentStartedAt: startedAt, metricsSoFar: {} });

    const t0 = Date.now();
    const proposal = await propose(slot, id, base);
    const proposalMs = Date.now() - t0;
    if (proposal === 'interrupted') {
      await finish(slot, { ...current(id), status: 'interrupted', error: 'Stopped while the agent was proposing.', timings: { ...running.timings, proposalMs } }, null);
      return;
    }
    if ('fatal' in proposal) {
      await finish(slot, { ...current(id), status: 'interrupted', error: proposal.fatal, timings: { ...running.timings, proposalMs } }, null);
      requestStop('auth', proposal.fatal, false);
      return;
    }

    let transcriptPath: string | null = null;
    if (proposal.transcript !== null && proposal.transcript !== undefined) {
      transcriptPath = paths.transcriptRel(id);
      await writeFile(paths.abs(transcriptPath), JSON.stringify(proposal.transcript, null, 1)).catch(() => {
        transcriptPath = null;
      });
    }
    const description = oneLine(proposal.description) || '(no description)';
    setPhase(slot, 'committing', { description });

    const reject = async (reason: string, files: readonly string[] = []) => {
      await resetTo(slot.worktree, parentCommit, config.files.linked).catch(() => undefined);
      await append({
        type: 'experiment-proposed',
        at: isoNow(),
        id,
        commit: null,
        description,
        hypothesis: proposal.hypothesis,
        usage: proposal.usage,
        proposalMs,
        changedFiles: [...files],
        transcriptPath,
      });
      await finish(slot, { ...current(id), status: 'rejected', error: reason }, null);
    };

    if (proposal.rejectedReason) return reject(proposal.rejectedReason);
    // Every proposer's change passes the same guard: editable files only, protected files intact, size cap.
    const check = await guardDiff({ worktree: slot.worktree, config, protectedHashes });
    if (!check.ok) return reject(check.reason, check.changedFiles);

    const message = `${description}\n\n${proposal.hypothesis}\n\nAutoresearch-Run: ${tag}\nAutoresearch-Experiment: ${id}`.replace(/\n{3,}/g, '\n\n');
    const commit = await commitPaths(slot.worktree, check.changedFiles, message);
    await updateRef(projectDir, candidateRef(tag, id), commit);
    await append({
      type: 'experiment-proposed',
      at: isoNow(),
      id,
      commit,
      description,
      hypothesis: proposal.hypothesis,
      usage: proposal.usage,
      proposalMs,
      changedFiles: check.changedFiles,
      transcriptPath,
    });

    // Reward hacking guard: the evaluator and its friends must be exactly as they were at the start.
    const tamperedBefore = await changedProtectedFiles(slot.worktree, protectedHashes);
    if (tamperedBefore.length) {
      await restoreFiles(slot.worktree, record.startCommit, tamperedBefore);
      await finish(slot, { ...current(id), status: 'rejected', error: `Protected files differ from the run's start: ${tamperedBefore.join(', ')}. They were restored and the experiment did not run.` }, null);
      return;
    }

    setPhase(slot, 'running');
    const runs: ExperimentRunResult[] = [];
    const first = await measure(slot, id, 0);
    runs.push(first.result);
    const tamperedAfter = await changedProtectedFiles(slot.worktree, protectedHashes);
    if (tamperedAfter.length) {
      await restoreFiles(slot.worktree, record.startCommit, tamperedAfter);
      await finish(
        slot,
        { ...current(id), status: 'rejected', runs, logPath: first.result.logPath, timings: { ...current(id).timings, trainingMs: sum(runs) }, error: `The experiment changed protected files while it ran: ${tamperedAfter.join(', ')}. Its result is not trusted; the files were restored.` },
        first.tail,
      );
      return;
    }
    const failure = failureOf(first);
    if (failure) {
      await finish(slot, { ...current(id), status: failure.status, error: failure.error, runs, logPath: first.result.logPath, metrics: first.result.metrics, timings: { ...current(id).timings, trainingMs: sum(runs) } }, first.tail);
      return;
    }

    setPhase(slot, 'deciding');
    let value = first.scan.value!;
    let bestBefore = record.best!;
    let verdict = judge(value, bestBefore, config.metric.direction, config.acceptance, record.noiseFloor);
    if (verdict.kind === 'better' && verdict.needsConfirmation) {
      setPhase(slot, 'confirming');
      for (let i = 1; i <= config.acceptance.confirmRuns; i++) {
        const again = await measure(slot, id, i);
        runs.push(again.result);
        const f = failureOf(again);
        if (f) {
          await finish(slot, { ...current(id), status: f.status === 'interrupted' ? 'interrupted' : 'discard', error: `A confirmation run failed: ${f.error}`, runs, logPath: first.result.logPath, metrics: first.result.metrics, timings: { ...current(id).timings, trainingMs: sum(runs) } }, again.tail);
          return;
        }
      }
      value = mean(runs.map((r) => r.metric!));
      bestBefore = record.best!;
      verdict = judge(value, bestBefore, config.metric.direction, { ...config.acceptance, confirmRuns: 0 }, record.noiseFloor);
    }

    let guard: Experiment['guard'] = null;
    if (verdict.kind === 'better' && config.acceptance.guardCommand) {
      setPhase(slot, 'guarding');
      const logRel = paths.guardLogRel(id);
      let guardPgid = 0;
      const g = await runCommand({
        command: config.acceptance.guardCommand,
        cwd: slot.worktree,
        env: experimentEnv({ base: deps.env, config, slot: slot.index, tag, id, runDir: paths.dir, nodePath: deps.nodePath, ...(deps.nodeEnv ? { nodeEnv: deps.nodeEnv } : {}) }),
        logFile: paths.abs(logRel),
        logMaxBytes: config.logMaxBytes,
        timeoutMs: config.acceptance.guardTimeoutSeconds * 1000,
        graceMs: config.budget.graceSeconds * 1000,
        signal: abort.signal,
        onStart: async (p) => {
          guardPgid = p.pgid;
          await append({ type: 'process-start', at: isoNow(), id, pid: p.pid, pgid: p.pgid, what: 'guard' });
        },
      });
      if (guardPgid) await append({ type: 'process-end', at: isoNow(), id, pgid: guardPgid });
      if (g.aborted) {
        await finish(slot, { ...current(id), status: 'interrupted', runs, metric: value, metrics: first.result.metrics, logPath: first.result.logPath, error: 'Stopped while the guard command ran.' }, null);
        return;
      }
      guard = { passed: g.exitCode === 0 && !g.timedOut, exitCode: g.exitCode, durationMs: g.durationMs, logPath: logRel };
    }

    // The final decision is serialised across slots: judged again against the best as it is now (another
    // slot may have kept something better meanwhile), and the branch moves in the same critical section.
    await withDecisionLock(async () => {
      let error: string | null =
        guard && !guard.passed
          ? `The guard command (${config.acceptance.guardCommand}) failed${guard.exitCode !== null ? ` with exit code ${guard.exitCode}` : ''}; see ${guard.logPath}.`
          : null;
      let keep = verdict.kind === 'better' && (guard === null || guard.passed);
      if (keep && record.best !== bestBefore) {
        const now = judge(value, record.best!, config.metric.direction, { ...config.acceptance, confirmRuns: 0 }, record.noiseFloor);
        if (now.kind !== 'better') {
          keep = false;
          error = `Better than ${bestBefore} when measured, but #${record.bestId} reached ${record.best} meanwhile.`;
        }
        bestBefore = record.best!;
      }
      const ended = await finish(
        slot,
        {
          ...current(id),
          status: keep ? 'keep' : 'discard',
          metric: value,
          metrics: first.result.metrics,
          runs,
          guard,
          bestBefore,
          logPath: first.result.logPath,
          error,
          timings: { ...current(id).timings, trainingMs: sum(runs) },
        },
        null,
      );
      if (keep) {
        await updateRef(projectDir, `refs/heads/${branchFor(tag)}`, commit);
        await append({ type: 'best', at: isoNow(), id, commit, metric: ended.metric! });
      }
    });
  };

  // ------------------------------------------------------------------------------------------------
  // The slot loops.

  let nextId = Math.max(0, ...record.experiments.keys()) + 1;

  const waitWhilePaused = async () => {
    while (resumeGate && !stopRequest) {
      const allIdle = slots.every((s) => s.phase === 'idle' || s.phase === 'waiting');
      if (allIdle) setState('paused');
      await resumeGate.promise;
    }
  };

  const slotLoop = async (slot: SlotState) => {
    for (;;) {
      await waitWhilePaused();
      if (stopRequest) return;
      const stop = shouldStop(stopInputs());
      if (stop) {
        // Let the other slots finish what they run: a limit reached is not an emergency.
        requestStop(stop.reason, stop.message, true);
        return;
      }
      const id = nextId++;
      try {
        await runCandidate(slot, id);
      } catch (err) {
        // An engine failure (git broke, disk full) must not lose the run: record it and go on, unless it repeats.
        const message = `Experiment ${id} failed inside the app: ${errorMessage(err)}`;
        await append({ type: 'notice', at: isoNow(), level: 'error', message, id }).catch(() => undefined);
        const e = record.experiments.get(id);
        if (e && e.status === 'running') await finish(slot, { ...e, status: abort.signal.aborted ? 'interrupted' : 'crash', error: message }, null).catch(() => undefined);
        else consecutiveFailures += 1;
        await resetTo(slot.worktree, record.bestCommit!, config.files.linked).catch(async () => {
          slot.worktree = (await prepareWorktree(projectDir, slot.index, record.bestCommit!, config.files.linked)).path;
        });
      }
    }
  };

  const main = async (): Promise<RunOutcome> => {
    try {
      await append(input.opening);
      // Worktrees first: a broken one from a crash is rebuilt here.
      const startAt = record.bestCommit ?? record.startCommit;
      for (const slot of slots) {
        const { path: wt, repaired } = await prepareWorktree(projectDir, slot.index, startAt, config.files.linked);
        slot.worktree = wt;
        if (repaired) await append({ type: 'notice', at: isoNow(), level: 'info', message: `The worktree of slot ${slot.index} was damaged and has been rebuilt.` });
      }
      protectedHashes = await protectedHashesAt(projectDir, record.startCommit, config.files.protected);
      setState('running');

      if (config.run.setup && !input.resumed) {
        const setup = await runSetup();
        if (setup) return await end('error', setup);
      }
      const baseline = record.experiments.get(0);
      if (!baseline || baseline.status !== 'keep') {
        const ok = await runBaseline();
        if (!ok) {
          if (stopRequest) return await end(stopRequest.reason, stopRequest.message);
          const b = record.experiments.get(0);
          return await end('error', `${b?.error ?? 'The baseline failed.'}\nFix the run command or the code, then start the run again.`);
        }
      }
      await Promise.all(slots.map(slotLoop));
      const s = stopRequest as { reason: StopReason; message: string } | null;
      return await end(s?.reason ?? 'error', s?.message ?? 'The run ended.');
    } catch (err) {
      return await end('error', `The run stopped because of an error in the app: ${errorMessage(err)}`);
    }
  };

  const runSetup = async (): Promise<string | null> => {
    const slot = slots[0]!;
    setPhase(slot, 'running', { description: 'setup', experimentId: null });
    const logRel = 'logs/setup.log';
    let pgid = 0;
    const r = await runCommand({
      command: config.run.setup!,
      cwd: projectDir,
      env: experimentEnv({ base: deps.env, config, slot: 0, tag, id: -1, runDir: paths.dir, nodePath: deps.nodePath, ...(deps.nodeEnv ? { nodeEnv: deps.nodeEnv } : {}) }),
      logFile: paths.abs(logRel),
      logMaxBytes: config.logMaxBytes,
      timeoutMs: Math.max(effectiveTimeoutSeconds(config), 3600) * 1000,
      graceMs: config.budget.graceSeconds * 1000,
      signal: abort.signal,
      onStart: async (p) => {
        pgid = p.pgid;
        await append({ type: 'process-start', at: isoNow(), id: -1, pid: p.pid, pgid: p.pgid, what: 'setup' });
      },
      onOutput: (text) => emit({ kind: 'log', id: -1, text }),
    });
    if (pgid) await append({ type: 'process-end', at: isoNow(), id: -1, pgid });
    setPhase(slot, 'idle', { description: null });
    if (r.aborted) return 'Stopped during the setup command.';
    if (r.exitCode !== 0) {
      return `The setup command (${config.run.setup}) failed (${r.spawnError ?? `exit code ${r.exitCode}`}); see ${paths.abs(logRel)}. Last output:\n${r.tail.slice(-CRASH_TAIL_CHARS)}`;
    }
    await append({ type: 'notice', at: isoNow(), level: 'info', message: `Setup finished in ${(r.durationMs / 1000).toFixed(1)} s.` });
    return null;
  };

  let ended = false;
  const end = async (reason: StopReason, message: string): Promise<RunOutcome> => {
    if (!ended) {
      ended = true;
      for (const s of slots) setPhase(s, 'idle', { experimentId: null, description: null });
      await append({ type: 'run-stop', at: isoNow(), reason, message }).catch(() => undefined);
      state = 'stopped';
      emitLive();
      await journal.close();
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

/** A new record in the 'running' state; later events fill in the rest. */
function runningExperiment(
  fields: Pick<Experiment, 'id' | 'kind' | 'slot' | 'baseId' | 'parentCommit' | 'startedAt'> & Partial<Pick<Experiment, 'commit' | 'description' | 'hypothesis' | 'logPath'>>,
): Experiment {
  return {
    commit: null,
    description: '',
    hypothesis: '',
    logPath: null,
    ...fields,
    status: 'running',
    metric: null,
    metrics: {},
    runs: [],
    guard: null,
    bestBefore: null,
    finishedAt: null,
    timings: { proposalMs: null, trainingMs: null, totalMs: null },
    usage: null,
    transcriptPath: null,
    error: null,
    changedFiles: [],
  };
}

function oneLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find(Boolean)?.slice(0, 200) ?? '';
}
