// Which GPUs each slot gets: one (or `perSlot`) per slot from nvidia-smi discovery or `--gpus`, each leased
// machine-wide (gpu/lease.ts) so no other run, in this project or another, is given it while this one runs.
// The slot's CUDA_VISIBLE_DEVICES says which. A config whose slots already name CUDA_VISIBLE_DEVICES (the
// setup form's "One slot per GPU") keeps its choice; those GPUs are leased the same way. Only slots that run
// on this machine get local GPUs: a Slurm or SSH slot's GPUs are the cluster's or the host's.
import type { SlotConfig } from '../../shared/config.js';
import { describeHolder, GPU_ID, newHolder, releaseGpuLeases, tryLeaseGpu, type GpuLease, type GpuLeaseHolder } from '../gpu/lease.js';

export interface GpuRequest {
  /** GPU ids to use (`--gpus 0,2`, or the project's `gpus.use`); default: every GPU nvidia-smi reports; []: none. */
  readonly gpus?: readonly string[];
  /** GPUs per slot (default 1). */
  readonly perSlot?: number;
  /** Where the user changes the choice, so a refusal says what to do there: the CLI's options or the app's form. */
  readonly where?: 'cli' | 'app';
}

const ADVICE = {
  cli: { fewer: 'Use fewer --slots, or fewer --gpus-per-slot.', perSlot: '--gpus-per-slot', choose: 'or choose free GPUs with --gpus' },
  app: { fewer: 'Remove slots, or give each fewer GPUs, in Setup → Slots.', perSlot: 'GPUs per slot', choose: 'or pick free GPUs in Setup → Slots' },
} as const;

const isLocal = (s: SlotConfig) => !s.executor || s.executor.kind === 'local';

export class GpuAssignError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuAssignError';
  }
}

export interface SlotGpus {
  readonly slots: SlotConfig[];
  readonly leases: GpuLease[];
}

export async function leaseSlotGpus(opts: {
  readonly env: NodeJS.ProcessEnv;
  readonly projectDir: string;
  readonly tag: string;
  readonly slots: readonly SlotConfig[];
  readonly request: GpuRequest;
  /** GPU indices nvidia-smi reports ([] without a GPU or a driver). */
  readonly discover: () => Promise<number[]>;
}): Promise<SlotGpus> {
  const { request, slots } = opts;
  const advice = ADVICE[request.where ?? 'cli'];
  const perSlot = request.perSlot ?? 1;
  if (!Number.isInteger(perSlot) || perSlot < 1) throw new GpuAssignError(`${advice.perSlot} must be a whole number of at least 1.`);
  for (const g of request.gpus ?? []) {
    if (!GPU_ID.test(g)) throw new GpuAssignError(`--gpus: "${g}" is not a GPU. Give indices as nvidia-smi lists them, e.g. --gpus 0,2.`);
  }
  if (request.gpus && new Set(request.gpus).size !== request.gpus.length) throw new GpuAssignError('--gpus names a GPU twice; name each once.');
  const holder = newHolder(opts.projectDir, opts.tag);

  // The project asked for no GPUs: slots run as configured and nothing is leased.
  if (request.gpus && request.gpus.length === 0) return { slots: [...slots], leases: [] };
  const configured = slots.map((s) => (isLocal(s) ? (s.env.CUDA_VISIBLE_DEVICES?.trim() ?? '') : ''));
  if (!request.gpus && configured.some(Boolean)) {
    // The project chose per slot: lease exactly those, refusing a GPU named by two slots.
    const owner = new Map<string, number>();
    configured.forEach((value, slot) =>
      value.split(',').map((g) => g.trim()).filter(Boolean).forEach((g) => {
        if (owner.has(g)) throw new GpuAssignError(`Slots ${owner.get(g)} and ${slot} both use GPU ${g} (CUDA_VISIBLE_DEVICES in the project's slots). Give each slot its own GPU.`);
        owner.set(g, slot);
      }),
    );
    const ids = [...owner.keys()].filter((g) => GPU_ID.test(g));
    const { leases, busy } = await leaseAll(opts.env, ids, ids.length, holder);
    if (busy.length) throw busyError(busy, advice.choose);
    return { slots: [...slots], leases };
  }

  const pool = request.gpus ? [...request.gpus] : (await opts.discover()).map(String);
  const local = slots.map((s, i) => (isLocal(s) ? i : -1)).filter((i) => i >= 0);
  if (pool.length === 0 || local.length === 0) return { slots: [...slots], leases: [] };
  const need = local.length * perSlot;
  if (pool.length < need) {
    const from = request.gpus ? `${pool.length} ${pool.length === 1 ? 'is' : 'are'} chosen (${pool.join(', ')})` : `nvidia-smi reports ${pool.length} (${pool.join(', ')})`;
    throw new GpuAssignError(`${local.length} slot${local.length === 1 ? '' : 's'} × ${perSlot} GPU${perSlot === 1 ? '' : 's'} need ${need} GPUs, but ${from}. ${advice.fewer}`);
  }
  const { leases, busy } = await leaseAll(opts.env, pool, need, holder);
  if (leases.length < need) {
    await releaseGpuLeases(leases);
    throw busyError(busy, advice.choose);
  }
  const gpusOf = new Map(local.map((slot, k) => [slot, leases.slice(k * perSlot, (k + 1) * perSlot).map((l) => l.gpu).join(',')]));
  return {
    slots: slots.map((s, i) => (gpusOf.has(i) ? { ...s, env: { ...s.env, CUDA_VISIBLE_DEVICES: gpusOf.get(i)! } } : s)),
    leases,
  };
}

/** Lease GPUs of `pool` in order until `need` are held; busy ones are skipped and reported. */
async function leaseAll(env: NodeJS.ProcessEnv, pool: readonly string[], need: number, holder: GpuLeaseHolder) {
  const leases: GpuLease[] = [];
  const busy: { gpu: string; heldBy: GpuLeaseHolder }[] = [];
  try {
    for (const gpu of pool) {
      if (leases.length >= need) break;
      const got = await tryLeaseGpu(env, gpu, holder);
      if ('heldBy' in got) busy.push({ gpu, heldBy: got.heldBy });
      else leases.push(got);
    }
  } catch (err) {
    await releaseGpuLeases(leases);
    throw err;
  }
  if (busy.length && leases.length < need) {
    await releaseGpuLeases(leases);
    return { leases: [], busy };
  }
  return { leases, busy };
}

function busyError(busy: readonly { gpu: string; heldBy: GpuLeaseHolder }[], choose: string): GpuAssignError {
  const lines = busy.map((b) => `GPU ${b.gpu} is in use by ${describeHolder(b.heldBy)}.`);
  return new GpuAssignError(`${lines.join(' ')} Wait for that run to finish (or stop it), ${choose}.`);
}
