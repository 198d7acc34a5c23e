// Pure helpers of the live dashboard: which GPUs a slot uses, and where a slot stands against its time
// budget. Kept apart from the components so they are tested without a DOM.
import type { GpuStat, LiveSlot } from '../../shared/api.js';

/** The GPUs a slot runs on: its CUDA_VISIBLE_DEVICES, or every GPU when it sets none. */
export function gpusForSlot(gpus: readonly GpuStat[], env: Readonly<Record<string, string>>, where?: string): readonly GpuStat[] {
  // A slot on an SSH host sees that host's GPUs; a local slot this machine's.
  const onHost = where && where !== 'local' ? gpus.filter((g) => g.host === where) : gpus.filter((g) => g.host === undefined);
  gpus = onHost;
  const visible = env.CUDA_VISIBLE_DEVICES;
  if (visible === undefined) return gpus;
  const wanted = visible
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
  return gpus.filter((g) => wanted.includes(g.index));
}

export interface SlotTiming {
  /** Milliseconds since the current phase (or experiment) started; null when idle. */
  readonly elapsedMs: number | null;
  /** elapsed / budget while the experiment runs (may exceed 1), else null. */
  readonly fraction: number | null;
  /** Budget left; negative once over budget. null outside the running phase. */
  readonly leftMs: number | null;
  /** Past the budget: the hard timeout is what is left. */
  readonly overBudget: boolean;
  /** Time until the hard timeout kills it, while running. */
  readonly untilTimeoutMs: number | null;
}

const RUNNING_PHASES: ReadonlySet<string> = new Set(['running', 'confirming']);

export function slotTiming(slot: LiveSlot, now: number, budgetSeconds: number, timeoutSeconds: number): SlotTiming {
  const since = (iso: string | null) => {
    if (!iso) return null;
    const t = Date.parse(iso);
    return Number.isFinite(t) ? Math.max(0, now - t) : null;
  };
  if (RUNNING_PHASES.has(slot.phase)) {
    const elapsed = since(slot.phaseStartedAt) ?? since(slot.experimentStartedAt);
    if (elapsed === null) return { elapsedMs: null, fraction: null, leftMs: null, overBudget: false, untilTimeoutMs: null };
    const budgetMs = budgetSeconds * 1000;
    return {
      elapsedMs: elapsed,
      fraction: budgetMs > 0 ? elapsed / budgetMs : null,
      leftMs: budgetMs - elapsed,
      overBudget: elapsed > budgetMs,
      untilTimeoutMs: Math.max(0, timeoutSeconds * 1000 - elapsed),
    };
  }
  const elapsed = since(slot.phaseStartedAt) ?? since(slot.experimentStartedAt);
  return { elapsedMs: slot.phase === 'idle' ? null : elapsed, fraction: null, leftMs: null, overBudget: false, untilTimeoutMs: null };
}

/** Human words for a phase. */
export const PHASE_LABEL: Readonly<Record<LiveSlot['phase'], string>> = {
  idle: 'idle',
  proposing: 'agent is proposing',
  committing: 'committing',
  running: 'running',
  confirming: 'confirmation run',
  guarding: 'running the guard',
  deciding: 'deciding',
  waiting: 'waiting',
};

/** The words for a slot's phase: the baseline (always experiment 0) runs again as "baseline repeat", not a confirmation. */
export function phaseLabel(slot: Pick<LiveSlot, 'phase' | 'experimentId'>): string {
  return slot.phase === 'confirming' && slot.experimentId === 0 ? 'baseline repeat' : PHASE_LABEL[slot.phase];
}
