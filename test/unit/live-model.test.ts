import { describe, expect, it } from 'vitest';
import type { GpuStat, LiveSlot } from '../../src/shared/api.js';
import { gpusForSlot, slotTiming } from '../../src/renderer/run/live-model.js';

const gpu = (index: number): GpuStat => ({ index, name: 'H100', utilizationPercent: 90, memoryUsedMb: 40_000, memoryTotalMb: 80_000, temperatureC: 60, powerW: 500 });
const slot = (fields: Partial<LiveSlot>): LiveSlot => ({
  slot: 0,
  env: {},
  phase: 'running',
  experimentId: 3,
  description: 'x',
  experimentStartedAt: '2026-03-08T21:00:00.000Z',
  phaseStartedAt: '2026-03-08T21:00:30.000Z',
  metricsSoFar: {},
  waitingReason: null,
  ...fields,
});
const T = (s: number) => Date.parse('2026-03-08T21:00:30.000Z') + s * 1000;

describe('gpusForSlot', () => {
  const all = [gpu(0), gpu(1), gpu(2)];
  it('follows CUDA_VISIBLE_DEVICES, and shows every GPU when the slot sets none', () => {
    expect(gpusForSlot(all, { CUDA_VISIBLE_DEVICES: '1' }).map((g) => g.index)).toEqual([1]);
    expect(gpusForSlot(all, { CUDA_VISIBLE_DEVICES: '0, 2' }).map((g) => g.index)).toEqual([0, 2]);
    expect(gpusForSlot(all, {}).map((g) => g.index)).toEqual([0, 1, 2]);
    expect(gpusForSlot(all, { CUDA_VISIBLE_DEVICES: '' })).toEqual([]);
    expect(gpusForSlot(all, { CUDA_VISIBLE_DEVICES: 'GPU-uuid' })).toEqual([]);
  });
  it('a slot on an SSH host shows that host\'s GPUs, a local slot this machine\'s', () => {
    const mixed = [gpu(0), gpu(1), { ...gpu(0), host: 'ssh:box' }, { ...gpu(1), host: 'ssh:box' }, { ...gpu(0), host: 'ssh:other' }];
    expect(gpusForSlot(mixed, {}).map((g) => [g.index, g.host])).toEqual([[0, undefined], [1, undefined]]);
    expect(gpusForSlot(mixed, {}, 'local')).toHaveLength(2);
    expect(gpusForSlot(mixed, { CUDA_VISIBLE_DEVICES: '1' }, 'ssh:box').map((g) => [g.index, g.host])).toEqual([[1, 'ssh:box']]);
    expect(gpusForSlot(mixed, {}, 'ssh:nowhere')).toEqual([]);
  });
});

describe('slotTiming', () => {
  it('measures the running phase against the budget', () => {
    const t = slotTiming(slot({}), T(60), 300, 600);
    expect(t.elapsedMs).toBe(60_000);
    expect(t.fraction).toBeCloseTo(0.2);
    expect(t.leftMs).toBe(240_000);
    expect(t.overBudget).toBe(false);
    expect(t.untilTimeoutMs).toBe(540_000);
  });

  it('says when a run is over budget and how long until the timeout', () => {
    const t = slotTiming(slot({}), T(420), 300, 600);
    expect(t.overBudget).toBe(true);
    expect(t.leftMs).toBe(-120_000);
    expect(t.untilTimeoutMs).toBe(180_000);
  });

  it('has no budget bar outside the running phase, and no elapsed time when idle', () => {
    expect(slotTiming(slot({ phase: 'proposing' }), T(10), 300, 600)).toMatchObject({ fraction: null, elapsedMs: 10_000 });
    expect(slotTiming(slot({ phase: 'idle' }), T(10), 300, 600).elapsedMs).toBeNull();
    expect(slotTiming(slot({ phaseStartedAt: null, experimentStartedAt: null }), T(10), 300, 600).elapsedMs).toBeNull();
  });
});
