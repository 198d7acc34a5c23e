// What Start will do with the GPUs, said before it happens: which GPUs each slot gets under the Slots form's
// choice, the same rule as core/loop/slot-gpus.ts (GPUs held by another run are skipped at Start, so the plan
// names the GPUs in order of preference).
import type { GpuMode } from './draft.js';

export interface GpuPlanSlot {
  readonly slot: number;
  /** GPU ids this slot gets; null when it keeps its own CUDA_VISIBLE_DEVICES or gets none. */
  readonly gpus: readonly string[] | null;
  /** Its own CUDA_VISIBLE_DEVICES, kept (and leased) because the project chose per slot. */
  readonly own: string | null;
  /** The slot runs elsewhere (Slurm, SSH): its GPUs are not this machine's. */
  readonly remote: boolean;
}

export interface GpuPlan {
  readonly slots: readonly GpuPlanSlot[];
  /** One line for the form: what happens, or why Start would refuse. */
  readonly summary: string;
  /** Start would refuse (too few GPUs for the slots). */
  readonly problem: boolean;
}

/** CUDA_VISIBLE_DEVICES named in a slot's NAME=value lines, or null. */
export function cudaOf(envText: string): string | null {
  for (const line of envText.split('\n')) {
    const m = /^\s*CUDA_VISIBLE_DEVICES\s*=(.*)$/.exec(line);
    if (m) return m[1]!.trim() || null;
  }
  return null;
}

export function planGpus(opts: {
  /** Each slot's environment lines, and where it runs (absent: this machine). */
  readonly slots: readonly { readonly env: string; readonly kind?: string }[];
  /** GPU indices nvidia-smi reports now. */
  readonly found: readonly number[];
  readonly mode: GpuMode;
  readonly picked: readonly string[];
  readonly perSlot: number;
}): GpuPlan {
  const remote = opts.slots.map((s) => s.kind !== undefined && s.kind !== 'local');
  const none = (summary: string, problem = false): GpuPlan => ({ slots: opts.slots.map((_, slot) => ({ slot, gpus: null, own: null, remote: remote[slot]! })), summary, problem });
  if (opts.mode === 'none') return none('GPUs are not assigned or leased: each slot sees what its environment allows.');
  const local = opts.slots.map((_, i) => i).filter((i) => !remote[i]);
  if (local.length === 0) return none('Every slot runs elsewhere (Slurm or SSH): no GPU of this machine is assigned.');
  const own = opts.slots.map((s, i) => (remote[i] ? null : cudaOf(s.env)));
  if (opts.mode === 'all' && own.some((v) => v !== null)) {
    return {
      slots: own.map((v, slot) => ({ slot, gpus: null, own: v, remote: remote[slot]! })),
      summary: 'Slots keep the CUDA_VISIBLE_DEVICES their environment names; those GPUs are leased while the run lasts.',
      problem: false,
    };
  }
  const pool = opts.mode === 'pick' ? [...opts.picked] : opts.found.map(String);
  if (pool.length === 0) return none(opts.mode === 'pick' ? 'Pick the GPUs the slots may use.' : 'No NVIDIA GPU found: the slots run without GPUs.', opts.mode === 'pick');
  const per = Number.isInteger(opts.perSlot) && opts.perSlot >= 1 ? opts.perSlot : 1;
  const need = local.length * per;
  if (pool.length < need) {
    const n = local.length;
    return none(`${n} slot${n === 1 ? '' : 's'} × ${per} GPU${per === 1 ? '' : 's'} need ${need} GPUs, but ${pool.length} ${pool.length === 1 ? 'is' : 'are'} available (${pool.join(', ')}): Start would refuse. Remove slots, or give each fewer GPUs.`, true);
  }
  const slots = opts.slots.map((_, slot) => {
    const k = local.indexOf(slot);
    return { slot, gpus: k < 0 ? null : pool.slice(k * per, (k + 1) * per), own: null, remote: remote[slot]! };
  });
  const spare = pool.length - need;
  return {
    slots,
    summary: `Each slot gets ${per === 1 ? 'its own GPU' : `${per} GPUs of its own`}, leased while the run lasts${spare ? `; ${spare} spare ${spare === 1 ? 'GPU stands' : 'GPUs stand'} in for any another run holds` : ''}.`,
    problem: false,
  };
}
