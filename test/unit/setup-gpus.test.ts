// The Slots form's GPU choice: the draft ⇄ config `gpus` conversion, the schema's refusals, and the plan the
// form shows (the same assignment rule as core/loop/slot-gpus.ts).
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/shared/config.js';
import { errorsAt, fromDraft, patch, toDraft } from '../../src/renderer/setup/draft.js';
import { cudaOf, planGpus } from '../../src/renderer/setup/gpu-plan.js';

const base = { run: { command: 'python train.py' }, files: { editable: ['train.py'] }, metric: { name: 'val_bpb', direction: 'min' as const }, budget: { seconds: 300 } };

describe('gpus in the setup draft', () => {
  it('round-trips every GPU, picked GPUs and none', () => {
    for (const gpus of [{ use: null, perSlot: 1 }, { use: ['0', '2'], perSlot: 2 }, { use: [], perSlot: 1 }]) {
      const parsed = parseConfig({ ...base, gpus });
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) continue;
      const back = parseConfig(fromDraft(toDraft(parsed.config)).config);
      expect(back.ok && back.config.gpus).toEqual(gpus);
    }
    // A config written before the field existed means every GPU, one per slot.
    expect(toDraft(base).gpus).toEqual({ mode: 'all', picked: [], perSlot: '1' });
  });

  it('says what to fix: nothing picked, a count that is not a number, a bad id', () => {
    const d = patch(toDraft(base), 'gpus', { mode: 'pick', picked: [], perSlot: 'two' });
    const { errors } = fromDraft(d);
    expect(errorsAt(errors, 'gpus').map((e) => `${e.path}: ${e.message}`)).toEqual(['gpus.use: Pick at least one GPU, or choose "None"', 'gpus.perSlot: "two" is not a number']);
    const bad = parseConfig({ ...base, gpus: { use: ['0;rm -rf'], perSlot: 0 } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors.map((e) => `${e.path}: ${e.message}`)).toEqual(['gpus.use.0: Name a GPU as nvidia-smi lists it, e.g. 0 or GPU-…', 'gpus.perSlot: Give each slot at least 1 GPU']);
    }
    const twice = parseConfig({ ...base, gpus: { use: ['1', '1'] } });
    expect(!twice.ok && twice.errors[0]!.message).toBe('A GPU is listed twice; list each once');
  });
});

describe('planGpus', () => {
  const slots = (...env: string[]) => env.map((e) => ({ env: e }));
  it('gives each slot its own GPU in order, or groups of them', () => {
    const plan = planGpus({ slots: slots('', ''), found: [0, 1, 2], mode: 'all', picked: [], perSlot: 1 });
    expect(plan.slots.map((s) => s.gpus)).toEqual([['0'], ['1']]);
    expect(plan.problem).toBe(false);
    expect(plan.summary).toBe('Each slot gets its own GPU, leased while the run lasts; 1 spare GPU stands in for any another run holds.');
    const pairs = planGpus({ slots: slots('', ''), found: [], mode: 'pick', picked: ['1', '3', '5', '7'], perSlot: 2 });
    expect(pairs.slots.map((s) => s.gpus)).toEqual([['1', '3'], ['5', '7']]);
  });

  it('says when Start would refuse, and when nothing is assigned', () => {
    const short = planGpus({ slots: slots('', '', ''), found: [0, 1], mode: 'all', picked: [], perSlot: 1 });
    expect(short.problem).toBe(true);
    expect(short.summary).toBe('3 slots × 1 GPU need 3 GPUs, but 2 are available (0, 1): Start would refuse. Remove slots, or give each fewer GPUs.');
    expect(planGpus({ slots: slots(''), found: [], mode: 'all', picked: [], perSlot: 1 }).summary).toBe('No NVIDIA GPU found: the slots run without GPUs.');
    expect(planGpus({ slots: slots(''), found: [0], mode: 'none', picked: [], perSlot: 1 }).slots[0]!.gpus).toBeNull();
  });

  it('assigns no local GPU to a slot that runs on Slurm or over SSH', () => {
    const plan = planGpus({ slots: [{ env: '', kind: 'local' }, { env: '', kind: 'slurm' }, { env: '', kind: 'local' }], found: [0, 1], mode: 'all', picked: [], perSlot: 1 });
    expect(plan.problem).toBe(false);
    expect(plan.slots.map((s) => [s.gpus, s.remote])).toEqual([
      [['0'], false],
      [null, true],
      [['1'], false],
    ]);
    expect(planGpus({ slots: [{ env: '', kind: 'ssh' }], found: [0], mode: 'all', picked: [], perSlot: 1 }).summary).toBe('Every slot runs elsewhere (Slurm or SSH): no GPU of this machine is assigned.');
  });

  it("keeps a slot's own CUDA_VISIBLE_DEVICES when every GPU is chosen, and overrides it when GPUs are picked", () => {
    expect(cudaOf('A=1\nCUDA_VISIBLE_DEVICES = 3\n')).toBe('3');
    const own = planGpus({ slots: slots('CUDA_VISIBLE_DEVICES=3', ''), found: [0, 1, 2, 3], mode: 'all', picked: [], perSlot: 1 });
    expect(own.slots.map((s) => s.own)).toEqual(['3', null]);
    const picked = planGpus({ slots: slots('CUDA_VISIBLE_DEVICES=3'), found: [0, 1, 2, 3], mode: 'pick', picked: ['1'], perSlot: 1 });
    expect(picked.slots[0]!.gpus).toEqual(['1']);
  });
});
