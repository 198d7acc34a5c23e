// What the UI sees of a run while it goes: each slot's phase and experiment, the run's state, the progress
// toward its stop conditions. Shown again (a `live` event) on every change.
import type { LiveRun, LiveSlot, RunState, SlotPhase, StopConditionProgress } from '../../shared/api.js';
import { effectiveTimeoutSeconds, type ProjectConfig } from '../../shared/config.js';
import { isoNow, type SlotState } from './context.js';
import type { LoopEvent } from './types.js';

export interface RunLive {
  readonly slots: SlotState[];
  live(): LiveRun;
  emitLive(): void;
  setPhase(slot: SlotState, phase: SlotPhase, extra?: Partial<SlotState>): void;
  /** Every slot idle (or, with `orWaiting`, idle or waiting). */
  slotsIdle(orWaiting: boolean): boolean;
}

export function createRunLive(input: {
  readonly tag: string;
  readonly config: ProjectConfig;
  readonly state: () => RunState;
  /** Where slot `index` runs (its executor's place). */
  readonly where: (index: number) => string;
  readonly progress: () => StopConditionProgress[];
  readonly emit: (event: LoopEvent) => void;
}): RunLive {
  const { tag, config } = input;
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

  const live = (): LiveRun => ({
    tag,
    state: input.state(),
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
        where: input.where(s.index),
        job: s.job,
      }),
    ),
    stopConditions: input.progress(),
  });

  const emitLive = () => input.emit({ kind: 'live', live: live() });

  return {
    slots,
    live,
    emitLive,
    setPhase(slot, phase, extra = {}) {
      Object.assign(slot, extra);
      slot.phase = phase;
      slot.phaseStartedAt = isoNow();
      if (phase !== 'waiting') slot.waitingReason = null;
      emitLive();
    },
    slotsIdle: (orWaiting) => slots.every((s) => s.phase === 'idle' || (orWaiting && s.phase === 'waiting')),
  };
}
