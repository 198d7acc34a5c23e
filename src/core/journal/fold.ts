// Folds journal events into the state of a run. Pure: the loop keeps one of these in memory and feeds
// it each event it appends; readers build one from the file. The same code, so both always agree.
import type { ProjectConfig } from '../../shared/config.js';
import type { Experiment, RunCounts } from '../../shared/experiment.js';
import { countStatuses, measuredRuns, whereOfRemote } from '../../shared/experiment.js';
import type { ApprovalAnswerEvent, ApprovalWaitEvent, AuditEvent, JournalEvent, ProposalMadeEvent, RemoteJobRef, StopReason } from '../../shared/journal.js';
import type { ApprovalItem, RunDetail, RunNotice, RunState, RunSummary, SteeringNote } from '../../shared/api.js';
import { emptyUsage, foldUsage, usageOf, type UsageAccumulator } from './slot-usage.js';

export interface OpenProcess {
  readonly id: number;
  readonly pid: number;
  /** 0 for a remote job with no local process (then `remote` says where it runs). */
  readonly pgid: number;
  readonly what: string;
  readonly remote?: RemoteJobRef;
}

/** The key of an open process: its process group here, or its executor's handle for a job elsewhere. */
export function processKey(p: { readonly pgid: number; readonly remote?: RemoteJobRef | undefined }): string {
  return p.remote ? `${p.remote.kind}:${p.remote.slot}:${p.remote.handle}` : String(p.pgid);
}

/** A proposal that waited for approval: the request and the first answer it got. */
export interface ApprovalRecord {
  readonly request: ApprovalWaitEvent;
  answer: ApprovalAnswerEvent | null;
}

export interface RunRecord {
  tag: string;
  branch: string;
  startCommit: string;
  startedAt: string;
  lastEventAt: string;
  config: ProjectConfig;
  proposer: string;
  /** By id; a Map keeps insertion order, which is id order for a sequential run. */
  experiments: Map<number, Experiment>;
  bestId: number | null;
  bestCommit: string | null;
  best: number | null;
  /** How many runs `best` is the mean of (its runs and re-measurements); 0 without a best. */
  bestRuns: number;
  noiseFloor: number | null;
  noiseValues: number[];
  /** Audits of the result, oldest first. */
  audits: AuditEvent[];
  steering: SteeringNote[];
  /** Proposals that waited for approval, by experiment id. */
  approvals: Map<number, ApprovalRecord>;
  notices: RunNotice[];
  stopReason: StopReason | null;
  stopMessage: string | null;
  /**
   * Pipelined proposals made and not yet taken by a slot, by id: a resumed run queues them again. The
   * cost of their proposing is in costUsd already (the spend cap sees it before they run).
   */
  queuedProposals: Map<number, ProposalMadeEvent>;
  /** Proposals dropped without running, with why (their ids are never an experiment). */
  droppedProposals: Map<number, string>;
  /** Process groups started and not yet recorded as ended: candidates for orphan cleanup. */
  openProcesses: Map<string, OpenProcess>;
  /** Totals kept incrementally so summaries cost O(1) at any history length. */
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  trainingMs: number;
  /** Trainer and session times per slot (dashboard: GPU-hours and idle time). */
  usage: UsageAccumulator;
}

export function emptyRunRecord(): RunRecord {
  return {
    tag: '',
    branch: '',
    startCommit: '',
    startedAt: '',
    lastEventAt: '',
    config: undefined as unknown as ProjectConfig,
    proposer: '',
    experiments: new Map(),
    bestId: null,
    bestCommit: null,
    best: null,
    bestRuns: 0,
    noiseFloor: null,
    noiseValues: [],
    audits: [],
    steering: [],
    approvals: new Map(),
    notices: [],
    stopReason: null,
    stopMessage: null,
    queuedProposals: new Map(),
    droppedProposals: new Map(),
    openProcesses: new Map(),
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    trainingMs: 0,
    usage: emptyUsage(),
  };
}

function addTotals(rec: RunRecord, e: Experiment, sign: 1 | -1): void {
  rec.costUsd += sign * (e.usage?.costUsd ?? 0);
  rec.inputTokens += sign * ((e.usage?.inputTokens ?? 0) + (e.usage?.cacheCreationInputTokens ?? 0) + (e.usage?.cacheReadInputTokens ?? 0));
  rec.outputTokens += sign * (e.usage?.outputTokens ?? 0);
  rec.trainingMs += sign * (e.timings.trainingMs ?? 0);
}

/** A queued proposal's spend, in and out of the totals (an experiment that takes it carries the usage on). */
function addProposalCost(rec: RunRecord, p: ProposalMadeEvent, sign: 1 | -1): void {
  rec.costUsd += sign * (p.usage?.costUsd ?? 0);
  rec.inputTokens += sign * ((p.usage?.inputTokens ?? 0) + (p.usage?.cacheCreationInputTokens ?? 0) + (p.usage?.cacheReadInputTokens ?? 0));
  rec.outputTokens += sign * (p.usage?.outputTokens ?? 0);
}

/** The highest id a run has handed out: experiments, queued and dropped proposals. */
export function lastIdOf(rec: RunRecord): number {
  return Math.max(0, ...rec.experiments.keys(), ...rec.queuedProposals.keys(), ...rec.droppedProposals.keys());
}

function putExperiment(rec: RunRecord, e: Experiment): void {
  const previous = rec.experiments.get(e.id);
  if (previous) addTotals(rec, previous, -1);
  rec.experiments.set(e.id, e);
  addTotals(rec, e, 1);
}

/** Apply one event. Mutates and returns `rec`. */
export function foldEvent(rec: RunRecord, event: JournalEvent): RunRecord {
  foldUsage(rec.usage, event, (id) => rec.experiments.get(id)?.slot);
  rec.lastEventAt = event.at;
  switch (event.type) {
    case 'run-start':
      rec.tag = event.tag;
      rec.branch = event.branch;
      rec.startCommit = event.startCommit;
      rec.startedAt = event.at;
      rec.config = event.config;
      rec.proposer = event.proposer;
      break;
    case 'run-resume':
      rec.config = event.config;
      rec.proposer = event.proposer;
      rec.stopReason = null;
      rec.stopMessage = null;
      break;
    case 'run-stop':
      rec.stopReason = event.reason;
      rec.stopMessage = event.message;
      break;
    case 'experiment-start': {
      // A slot took a queued proposal: its spend moves to the experiment (experiment-proposed carries it).
      const queued = rec.queuedProposals.get(event.experiment.id);
      if (queued) {
        addProposalCost(rec, queued, -1);
        rec.queuedProposals.delete(event.experiment.id);
      }
      putExperiment(rec, event.experiment);
      break;
    }
    case 'proposal-made': {
      // Made again after a conflict: the new one replaces the old (its usage includes the old one's).
      const previous = rec.queuedProposals.get(event.id);
      if (previous) addProposalCost(rec, previous, -1);
      rec.queuedProposals.set(event.id, event);
      addProposalCost(rec, event, 1);
      break;
    }
    case 'proposal-dropped': {
      // Spent all the same: its cost stays in the totals.
      rec.queuedProposals.delete(event.id);
      rec.droppedProposals.set(event.id, event.reason);
      break;
    }
    case 'experiment-proposed': {
      const e = rec.experiments.get(event.id);
      if (e) {
        putExperiment(rec, {
          ...e,
          commit: event.commit,
          description: event.description,
          hypothesis: event.hypothesis,
          usage: event.usage,
          changedFiles: event.changedFiles,
          transcriptPath: event.transcriptPath,
          timings: { ...e.timings, proposalMs: event.proposalMs },
          ...(event.baseWhy ? { baseWhy: event.baseWhy } : {}),
        });
      }
      break;
    }
    case 'experiment-end':
      putExperiment(rec, event.experiment);
      // A keep is the new best (the decision is made under one lock, so keeps only ever improve). Taking it
      // from the experiment itself, not only from the 'best' event that follows, means a run that died
      // between the two still knows its best and can be resumed.
      if (event.experiment.status === 'keep' && event.experiment.metric !== null && event.experiment.commit) {
        rec.bestId = event.experiment.id;
        rec.bestCommit = event.experiment.commit;
        rec.best = event.experiment.metric;
        rec.bestRuns = measuredRuns(event.experiment);
      }
      break;
    case 'process-start':
      rec.openProcesses.set(processKey(event), { id: event.id, pid: event.pid, pgid: event.pgid, what: event.what, ...(event.remote ? { remote: event.remote } : {}) });
      if (event.remote && event.what === 'run') {
        // Where the experiment runs is known exactly once its job exists (a Slurm job id, the SSH host).
        const e = rec.experiments.get(event.id);
        if (e && e.status === 'running') putExperiment(rec, { ...e, where: whereOfRemote(event.remote) });
      }
      break;
    case 'process-end':
      rec.openProcesses.delete(processKey(event));
      break;
    case 'heldout-result': {
      const e = rec.experiments.get(event.id);
      if (e) putExperiment(rec, { ...e, heldout: { value: event.value, error: event.error, logPath: event.logPath, durationMs: event.durationMs } });
      break;
    }
    case 'best':
      rec.bestId = event.id;
      rec.bestCommit = event.commit;
      rec.best = event.metric;
      rec.bestRuns = measuredRuns(rec.experiments.get(event.id) ?? { runs: [] });
      break;
    case 'noise-floor':
      rec.noiseValues = [...event.values];
      rec.noiseFloor = event.values.length > 1 ? event.spread : null;
      break;
    case 'baseline-run': {
      // A finished repeat joins the running baseline's record, so a resume after a kill finds it there
      // (an interrupted baseline keeps the repeats it finished; baseline.ts reuses them).
      const e = rec.experiments.get(0);
      if (e && e.status === 'running') {
        putExperiment(rec, { ...e, runs: [...e.runs, event.run], timings: { ...e.timings, trainingMs: (e.timings.trainingMs ?? 0) + event.run.durationMs } });
      }
      break;
    }
    case 'best-remeasured': {
      const e = rec.experiments.get(event.id);
      if (e) {
        const runs = [...e.runs, event.run];
        const values = runs.map((r) => r.metric).filter((v): v is number => v !== null && Number.isFinite(v));
        const metric = values.length ? values.reduce((s, v) => s + v, 0) / values.length : e.metric;
        // The value its decision saw stays on the record (the first re-measurement notes it), so a view can
        // show both what was decided and the current estimate.
        const measuredAtDecision = e.measuredAtDecision ?? (e.metric !== null ? { metric: e.metric, runs: measuredRuns(e) } : null);
        putExperiment(rec, { ...e, runs, metric, measuredAtDecision, timings: { ...e.timings, trainingMs: (e.timings.trainingMs ?? 0) + event.run.durationMs } });
        // A lucky best regresses to its true value: later candidates are judged against the new mean.
        if (rec.bestId === event.id && metric !== null) {
          rec.best = metric;
          rec.bestRuns = values.length;
        }
      }
      break;
    }
    case 'audit':
      rec.audits.push(event);
      break;
    case 'steer':
      rec.steering.push({ at: event.at, note: event.note });
      break;
    case 'approval-wait': {
      rec.approvals.set(event.id, { request: event, answer: rec.approvals.get(event.id)?.answer ?? null });
      const e = rec.experiments.get(event.id);
      if (e) putExperiment(rec, { ...e, approval: { state: 'waiting', note: null, at: null, by: null, proposedCommit: event.commit } });
      break;
    }
    case 'approval-answer': {
      const a = rec.approvals.get(event.id);
      // The first answer wins; writers refuse a second one, so a later one is a race that lost.
      if (!a || a.answer) break;
      a.answer = event;
      const e = rec.experiments.get(event.id);
      if (e) putExperiment(rec, { ...e, approval: { state: event.answer, note: event.note, at: event.at, by: event.by, proposedCommit: a.request.commit } });
      break;
    }
    case 'notice':
      rec.notices.push({ at: event.at, level: event.level, message: event.message, ...(event.id !== undefined ? { id: event.id } : {}) });
      // Notices are for the UI; keep the most recent ones only so a flapping API cannot grow memory.
      if (rec.notices.length > 500) rec.notices.splice(0, rec.notices.length - 500);
      break;
  }
  return rec;
}

export function foldEvents(events: Iterable<JournalEvent>): RunRecord {
  const rec = emptyRunRecord();
  for (const e of events) foldEvent(rec, e);
  return rec;
}

/**
 * Proposals that waited for approval and have not run yet: their experiment is still running (waiting now) or
 * was interrupted (the run stopped while it waited, or before an answer given meanwhile was acted on). A
 * resumed run takes these up again; answered or not, none is lost and none runs unapproved.
 */
export function pendingApprovals(rec: RunRecord): ApprovalRecord[] {
  return [...rec.approvals.values()]
    .filter((a) => {
      const e = rec.experiments.get(a.request.id);
      return e !== undefined && (e.status === 'running' || e.status === 'interrupted');
    })
    .sort((x, y) => x.request.id - y.request.id);
}

export function approvalItems(rec: RunRecord): ApprovalItem[] {
  return pendingApprovals(rec).map(({ request, answer }) => {
    const e = rec.experiments.get(request.id)!;
    return {
      id: request.id,
      description: e.description,
      hypothesis: e.hypothesis,
      commit: request.commit,
      parentCommit: request.parentCommit,
      changedFiles: [...e.changedFiles],
      changedLines: request.changedLines,
      reason: request.reason,
      requestedAt: request.at,
      answer: answer?.answer ?? null,
    };
  });
}

export function baselineOf(rec: RunRecord): Experiment | null {
  return rec.experiments.get(0) ?? null;
}

function countKeptImprovements(experiments: Iterable<Experiment>): number {
  let n = 0;
  for (const e of experiments) if (e.status === 'keep' && e.kind !== 'baseline') n += 1;
  return n;
}

/** What a summary needs from all the experiments; a fold snapshot keeps it, so a summary can skip reading them. */
export interface ExperimentAggregates {
  readonly counts: RunCounts;
  readonly keptImprovements: number;
  /** The baseline's metric (experiment 0), null before it is measured. */
  readonly baseline: number | null;
}

export function aggregatesOf(rec: RunRecord): ExperimentAggregates {
  return {
    counts: countStatuses([...rec.experiments.values()]),
    keptImprovements: countKeptImprovements(rec.experiments.values()),
    baseline: baselineOf(rec)?.metric ?? null,
  };
}

/** `aggregates` default to the record's experiments; a record read without them (a snapshot) passes its own. */
export function summarize(rec: RunRecord, state: RunState = 'stopped', aggregates: ExperimentAggregates = aggregatesOf(rec)): RunSummary {
  const start = Date.parse(rec.startedAt);
  const last = Date.parse(rec.lastEventAt);
  return {
    tag: rec.tag,
    branch: rec.branch,
    startedAt: rec.startedAt,
    lastEventAt: rec.lastEventAt,
    state,
    stopReason: rec.stopReason,
    stopMessage: rec.stopMessage,
    proposer: rec.proposer,
    metricName: rec.config?.metric.name ?? 'metric',
    direction: rec.config?.metric.direction ?? 'min',
    baseline: aggregates.baseline,
    best: rec.best,
    bestRuns: rec.best === null ? null : rec.bestRuns,
    bestId: rec.bestId,
    bestCommit: rec.bestCommit,
    noiseFloor: rec.noiseFloor,
    counts: aggregates.counts,
    keptImprovements: aggregates.keptImprovements,
    costUsd: rec.costUsd,
    inputTokens: rec.inputTokens,
    outputTokens: rec.outputTokens,
    trainingMs: rec.trainingMs,
    elapsedMs: Number.isFinite(start) && Number.isFinite(last) ? Math.max(0, last - start) : 0,
    usage: usageOf(rec.usage, state !== 'stopped'),
  };
}

export function toRunDetail(rec: RunRecord, state: RunState = 'stopped'): RunDetail {
  return toRunDetailWith(rec, state, aggregatesOf(rec), [...rec.experiments.values()].sort((a, b) => a.id - b.id));
}

/** A run's detail with the experiments given (one page of them, say) and the aggregates of all of them. */
export function toRunDetailWith(rec: RunRecord, state: RunState, aggregates: ExperimentAggregates, experiments: Experiment[]): RunDetail {
  return {
    ...summarize(rec, state, aggregates),
    config: rec.config,
    startCommit: rec.startCommit,
    experiments,
    steering: [...rec.steering],
    notices: [...rec.notices],
    audit: rec.audits[rec.audits.length - 1] ?? null,
    approvals: approvalItems(rec),
  };
}

/**
 * A journal with no run-start and no experiment: a start-up cut short before its first event was on disk.
 * `run --tag` starts such a run afresh, and `status` says so.
 */
export function isNeverStarted(rec: RunRecord): boolean {
  return !rec.startCommit && rec.experiments.size === 0;
}
