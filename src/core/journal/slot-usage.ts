// Folds journal events into per-slot trainer time and session wall time (shared/slot-usage.ts says what the
// numbers mean). Sessions run from a run-start or run-resume to the next run-stop. A trainer's time runs from
// its process-start to its process-end. One case needs care: when the app dies, nothing is written until
// the next start repairs the run, and the repair's events (the trainers' process-end, the run-stop) all carry
// the repair's time. The session then really ended at the last event before the repair, and the trainers'
// time is cut there, so a night the app lay dead counts neither as busy nor as idle.
// Where the idle time goes: a slot between its experiment-end and its next experiment-start waits for the agent
// (a proposal to be ready), or, from a conflict it found (a notice naming it, proposal-queue.ts), on that
// conflict; a slot proposing for itself waits for the agent from its experiment-start to experiment-proposed.
// Trainer runs after an experiment's first are confirmation runs (busy, counted apart). The rest is the harness.
import type { ProjectConfig, SlotConfig } from '../../shared/config.js';
import { REPAIR_STOP_MESSAGE, type JournalEvent } from '../../shared/journal.js';
import type { RunUsage, SlotUsage } from '../../shared/slot-usage.js';

interface SlotTotals {
  busyMs: number;
  gpuMs: number;
  wallMs: number;
  agentMs: number;
  conflictMs: number;
  confirmMs: number;
  /** What the slot is waiting for now (since ms), in the session going on; null when not waiting. */
  wait: { readonly on: 'agent' | 'conflict'; readonly since: number; readonly sinceIso: string; readonly from: number } | null;
}

interface OpenTrainer {
  readonly slot: number;
  readonly start: number;
  readonly gpus: number;
  /** Not the experiment's first run: a confirmation or re-measurement. */
  readonly confirm: boolean;
}

export interface UsageAccumulator {
  /** The session going on: its start (ms) and the GPUs of each of its slots; null between sessions. */
  session: { readonly start: number; readonly startIso: string; readonly gpus: readonly number[] } | null;
  /** GPUs per slot of the latest session (kept after it ends, for the summary). */
  lastGpus: readonly number[];
  slots: Map<number, SlotTotals>;
  open: Map<string, OpenTrainer>;
  /** The time of the latest event, and of the latest event before it with a different time. */
  at: number;
  atIso: string;
  before: number;
  /** Trainers whose process-end carried the latest event's time (a repair may have to cut them). */
  endedNow: { slot: number; start: number; end: number; gpus: number; confirm: boolean }[];
  /** Trainer runs started per experiment (a later run of one is a confirmation run). A Map: the snapshot keeps Maps. */
  ran: Map<number, number>;
}

export function emptyUsage(): UsageAccumulator {
  return { session: null, lastGpus: [], slots: new Map(), open: new Map(), at: 0, atIso: '', before: 0, endedNow: [], ran: new Map() };
}

/** GPUs a slot has: its CUDA_VISIBLE_DEVICES list, or what a Slurm slot asks for. */
export function slotGpuCount(slot: SlotConfig | undefined): number {
  if (!slot) return 0;
  if (slot.executor?.kind === 'slurm') return slot.executor.gpus ?? 0;
  const cuda = slot.env?.CUDA_VISIBLE_DEVICES?.trim() ?? '';
  return cuda === '' ? 0 : cuda.split(',').filter((g) => g.trim() !== '' && g.trim() !== '-1').length;
}

const totals = (acc: UsageAccumulator, slot: number): SlotTotals => {
  let t = acc.slots.get(slot);
  if (!t) acc.slots.set(slot, (t = { busyMs: 0, gpuMs: 0, wallMs: 0, agentMs: 0, conflictMs: 0, confirmMs: 0, wait: null }));
  return t;
};

function addBusy(acc: UsageAccumulator, slot: number, ms: number, gpus: number, confirm: boolean): void {
  const t = totals(acc, slot);
  t.busyMs += ms;
  t.gpuMs += ms * gpus;
  if (confirm) t.confirmMs += ms;
}

/** The slot's wait ends at `end`: counted as waiting for the agent, or on a conflict. */
function endWait(t: SlotTotals, end: number): void {
  const w = t.wait;
  if (!w) return;
  if (w.on === 'agent') t.agentMs += Math.max(0, end - w.since);
  else t.conflictMs += Math.max(0, end - w.since);
  t.wait = null;
}

function startWait(t: SlotTotals, on: 'agent' | 'conflict', at: number, atIso: string, from = at): void {
  t.wait = { on, since: at, sinceIso: atIso, from };
}

function closeSession(acc: UsageAccumulator, end: number): void {
  const s = acc.session;
  if (!s) return;
  for (const [key, o] of acc.open) {
    addBusy(acc, o.slot, Math.max(0, end - o.start), o.gpus, o.confirm);
    acc.open.delete(key);
  }
  // A wait the session ended on was for nothing (the run was stopping): it stays in the harness's share.
  for (const t of acc.slots.values()) t.wait = null;
  const wall = Math.max(0, end - s.start);
  s.gpus.forEach((_, slot) => (totals(acc, slot).wallMs += wall));
  acc.session = null;
}

const processKey = (e: { readonly pgid: number; readonly remote?: { readonly kind: string; readonly slot: number; readonly handle: string } | undefined }) =>
  e.remote ? `${e.remote.kind}:${e.remote.slot}:${e.remote.handle}` : String(e.pgid);

/**
 * Apply one event. `slotOf` gives an experiment's slot (for process-start events of journals written before
 * they named their slot).
 */
export function foldUsage(acc: UsageAccumulator, event: JournalEvent, slotOf: (id: number) => number | undefined): void {
  const t = Date.parse(event.at);
  if (!Number.isFinite(t)) return;
  if (event.at !== acc.atIso) {
    if (acc.atIso !== '') acc.before = acc.at;
    acc.endedNow = [];
  }
  const previous = acc.atIso === '' ? t : acc.at;
  const previousIsSame = event.at === acc.atIso;
  switch (event.type) {
    case 'run-start':
    case 'run-resume': {
      // A session nobody closed (the app died and the repair found nothing to write) ended at its last event.
      closeSession(acc, previous);
      const gpus = ((event.config as ProjectConfig | undefined)?.slots ?? [{ env: {} }]).map(slotGpuCount);
      acc.session = { start: t, startIso: event.at, gpus };
      acc.lastGpus = gpus;
      gpus.forEach((_, slot) => totals(acc, slot));
      break;
    }
    case 'process-start':
      if (event.what === 'run' && acc.session) {
        const slot = event.slot ?? slotOf(event.id) ?? 0;
        const confirm = acc.ran.has(event.id);
        acc.ran.set(event.id, (acc.ran.get(event.id) ?? 0) + 1);
        acc.open.set(processKey(event), { slot, start: t, gpus: acc.session.gpus[slot] ?? 0, confirm });
      }
      break;
    case 'experiment-start': {
      const e = event.experiment;
      if (!acc.session || e.kind !== 'candidate') break;
      const s = totals(acc, e.slot);
      // Taken from the queue: its proposal was ready queueWaitMs before; from then on the gap was the harness's
      // (the carry onto a newer best, the reset), not a wait for the agent.
      const waited = e.timings.queueWaitMs;
      endWait(s, typeof waited === 'number' && s.wait ? Math.min(t, Math.max(s.wait.since, t - waited)) : t);
      // Proposing for itself (not taken from the queue): the slot waits for the agent until experiment-proposed.
      if (e.timings.queueWaitMs === null || e.timings.queueWaitMs === undefined) startWait(s, 'agent', t, event.at);
      break;
    }
    case 'experiment-proposed': {
      const slot = slotOf(event.id);
      if (acc.session && slot !== undefined) endWait(totals(acc, slot), t);
      break;
    }
    case 'experiment-end': {
      const e = event.experiment;
      if (!acc.session) break;
      // From here the slot waits for its next proposal; after the baseline, so do all the session's slots.
      const slots = e.kind === 'baseline' ? acc.session.gpus.map((_, k) => k) : [e.slot];
      for (const k of slots) {
        const s = totals(acc, k);
        endWait(s, t);
        startWait(s, 'agent', t, event.at);
      }
      break;
    }
    case 'notice': {
      const slot = event.conflictSlot;
      if (slot === undefined || !acc.session) break;
      const s = totals(acc, slot);
      if (s.wait?.on === 'conflict') break;
      const from = s.wait?.from ?? t;
      endWait(s, t);
      startWait(s, 'conflict', t, event.at, from);
      break;
    }
    case 'process-end': {
      const key = processKey(event);
      const o = acc.open.get(key);
      if (o) {
        acc.open.delete(key);
        addBusy(acc, o.slot, Math.max(0, t - o.start), o.gpus, o.confirm);
        acc.endedNow.push({ slot: o.slot, start: o.start, end: t, gpus: o.gpus, confirm: o.confirm });
      }
      break;
    }
    case 'run-stop': {
      if (!acc.session) break;
      let end = t;
      if (event.message === REPAIR_STOP_MESSAGE) {
        // Everything stamped with the repair's time was written after the app had died.
        end = previousIsSame ? acc.before : previous;
        end = Math.max(end, acc.session.start);
        for (const r of acc.endedNow) {
          const over = r.end - Math.max(r.start, end);
          if (over > 0) addBusy(acc, r.slot, -over, r.gpus, r.confirm);
        }
      }
      closeSession(acc, end);
      break;
    }
    default:
      break;
  }
  acc.at = t;
  acc.atIso = event.at;
}

/**
 * The usage as the summary reports it. A live run's session and running trainers are left open (with their
 * start times); a run that is not live but whose last session never closed (its process died and nobody
 * resumed it) is closed at its last event.
 */
export function usageOf(acc: UsageAccumulator, live: boolean): RunUsage {
  const open = live ? acc.session : null;
  const closing = !live && acc.session ? acc.at : null;
  const slots: SlotUsage[] = [...acc.slots.entries()]
    .sort(([a], [b]) => a - b)
    .map(([slot, t]) => {
      let { busyMs, gpuMs, wallMs, confirmMs } = t;
      let busySince: number | null = null;
      let confirmSince: number | null = null;
      for (const o of acc.open.values()) {
        if (o.slot !== slot) continue;
        if (closing !== null) {
          busyMs += Math.max(0, closing - o.start);
          gpuMs += Math.max(0, closing - o.start) * o.gpus;
          if (o.confirm) confirmMs += Math.max(0, closing - o.start);
        } else if (open) {
          busySince = busySince === null ? o.start : Math.min(busySince, o.start);
          if (o.confirm) confirmSince = confirmSince === null ? o.start : Math.min(confirmSince, o.start);
        }
      }
      const wait = open && t.wait ? t.wait : null;
      const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
      const inSession = acc.session !== null && slot < acc.session.gpus.length;
      if (closing !== null && inSession) wallMs += Math.max(0, closing - acc.session!.start);
      return {
        slot,
        gpus: acc.lastGpus[slot] ?? 0,
        busyMs,
        gpuMs,
        wallMs,
        agentMs: t.agentMs,
        conflictMs: t.conflictMs,
        confirmMs,
        busySince: iso(busySince),
        confirmSince: iso(confirmSince),
        agentSince: wait?.on === 'agent' ? wait.sinceIso : null,
        conflictSince: wait?.on === 'conflict' ? wait.sinceIso : null,
        live: open !== null && inSession,
      };
    });
  return { sessionSince: open ? open.startIso : null, slots };
}
