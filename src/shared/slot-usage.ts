// Per slot: how long its trainers ran (GPU-hours when it has GPUs) and how long it stood idle, from the
// journal's process and session events (core/journal/slot-usage.ts folds them), so the numbers stay true
// after a restart. The record holds what is finished plus when the ongoing parts began; `usageAt` adds the
// time since then, so a dashboard can tick without new events.

export interface SlotUsage {
  readonly slot: number;
  /** GPUs the slot has in the latest start or resume (its CUDA_VISIBLE_DEVICES, or a Slurm slot's --gres); 0 without. */
  readonly gpus: number;
  /** Time its trainers ran, finished runs only (ms). */
  readonly busyMs: number;
  /** The same × the GPUs the slot had then (GPU-milliseconds). */
  readonly gpuMs: number;
  /** Wall time of the finished sessions (start or resume to stop) the slot was part of. */
  readonly wallMs: number;
  /** Idle, waiting for the agent: for a proposal to be ready, or proposing for itself (finished waits, ms). */
  readonly agentMs: number;
  /** Idle, waiting on a conflict: from a proposal it took conflicting with the best to its next experiment. */
  readonly conflictMs: number;
  /** Of busyMs: trainer runs after an experiment's first (confirmations, re-measurements). */
  readonly confirmMs: number;
  /** When the trainer running now started; null when none runs. */
  readonly busySince: string | null;
  /** The same, when the trainer running now is a confirmation run. */
  readonly confirmSince: string | null;
  /** Waiting for the agent since; null when not. */
  readonly agentSince: string | null;
  /** Waiting on a conflict since; null when not. */
  readonly conflictSince: string | null;
  /** The slot belongs to the session going on now. */
  readonly live: boolean;
}

export interface RunUsage {
  /** When the session going on now started or resumed; null when the run is not live. */
  readonly sessionSince: string | null;
  readonly slots: readonly SlotUsage[];
}

export interface SlotUsageFigures {
  readonly slot: number;
  readonly gpus: number;
  readonly busyMs: number;
  /** GPU-hours (0 for a slot without GPUs). */
  readonly gpuHours: number;
  /** Wall time the slot was part of a live session, minus the time its trainers ran. */
  readonly idleMs: number;
  /** Of idleMs: waiting for the agent, waiting on conflicts, and the rest (the harness: decisions, commits, resets, checks, the setup, pauses). */
  readonly agentMs: number;
  readonly conflictMs: number;
  readonly harnessMs: number;
  /** Of busyMs: confirmation and re-measurement runs. */
  readonly confirmMs: number;
  readonly wallMs: number;
  /** idle / wall, 0..1; null before any wall time. */
  readonly idleFraction: number | null;
}

const HOUR = 3_600_000;

/** The figures at `now` (ms since the epoch). */
export function usageAt(usage: RunUsage, now: number): SlotUsageFigures[] {
  const since = (iso: string | null) => {
    if (iso === null) return 0;
    const t = Date.parse(iso);
    return Number.isFinite(t) ? Math.max(0, now - t) : 0;
  };
  const session = since(usage.sessionSince);
  return usage.slots.map((s) => {
    const running = since(s.busySince);
    const busyMs = s.busyMs + running;
    const wallMs = s.wallMs + (s.live ? session : 0);
    const idleMs = Math.max(0, wallMs - busyMs);
    // Journals written before the split have none of these fields: all their idle time is the harness's.
    const agentMs = Math.min(idleMs, (s.agentMs ?? 0) + since(s.agentSince ?? null));
    const conflictMs = Math.min(idleMs - agentMs, (s.conflictMs ?? 0) + since(s.conflictSince ?? null));
    const confirmMs = Math.min(busyMs, (s.confirmMs ?? 0) + since(s.confirmSince ?? null));
    return {
      slot: s.slot,
      gpus: s.gpus,
      busyMs,
      gpuHours: (s.gpuMs + running * s.gpus) / HOUR,
      idleMs,
      agentMs,
      conflictMs,
      harnessMs: Math.max(0, idleMs - agentMs - conflictMs),
      confirmMs,
      wallMs,
      idleFraction: wallMs > 0 ? idleMs / wallMs : null,
    };
  });
}

/** h:mm:ss (the reports' clock for slot time). */
const clock = (ms: number) => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};
const share = (ms: number, of: number) => `${clock(ms)} (${of > 0 ? Math.round((ms / of) * 100) : 0} %)`;

/**
 * The reports' slot usage table: per slot its session time, trainer time (GPU-hours when it has GPUs), the part
 * of it spent confirming, and the idle time split into the agent, conflicts and the harness (shares of the
 * session time). The same cells for the Markdown and the HTML report.
 */
export function slotUsageTable(figures: readonly SlotUsageFigures[]): { readonly head: readonly string[]; readonly rows: readonly (readonly string[])[] } {
  const gpus = figures.some((f) => f.gpus > 0);
  return {
    head: ['slot', 'session', 'trainer', ...(gpus ? ['GPU-hours'] : []), 'confirming', 'waiting for the agent', 'waiting on conflicts', 'harness'],
    rows: figures.map((f) => [
      String(f.slot),
      clock(f.wallMs),
      share(f.busyMs, f.wallMs),
      ...(gpus ? [f.gpus > 0 ? f.gpuHours.toFixed(2) : '—'] : []),
      clock(f.confirmMs),
      share(f.agentMs, f.wallMs),
      share(f.conflictMs, f.wallMs),
      share(f.harnessMs, f.wallMs),
    ]),
  };
}
