// The config's slots and GPUs: where each slot's experiments run (this machine, Slurm, SSH), its
// environment, and the GPUs a run leases for its slots.
import { z } from 'zod';

/** A Slurm partition, account or QOS name (sbatch takes a comma-separated list of partitions). */
const slurmName = (what: string, example: string) =>
  z
    .string()
    .min(1, `Leave the ${what} empty for the cluster's default, or name one, e.g. ${example}`)
    .regex(/^[A-Za-z0-9_.,:+-]+$/, `A Slurm ${what} name has no spaces or special characters, e.g. ${example}`)
    .optional();

/** sbatch options the executor sets itself: one given again would break how the job is followed. */
const RESERVED_SBATCH = ['--output', '-o', '--error', '-e', '--chdir', '-D', '--export', '--parsable', '--wrap', '--array', '-a', '--job-name', '-J'];

const sbatchOption = z
  .string()
  .regex(/^--?[A-Za-z]/, 'Write each extra option as an sbatch option, one per line, e.g. --mem=32G')
  .superRefine((o, ctx) => {
    const name = o.split('=')[0]!;
    if (RESERVED_SBATCH.includes(name)) ctx.addIssue({ code: 'custom', message: `${name} is set by the app (it follows the job's output and working folder); remove it` });
  });

/** Where a slot's experiments run: this machine, a Slurm job per experiment, or a host reached by SSH. */
export const ExecutorConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }),
  z.object({
    kind: z.literal('slurm'),
    /** sbatch options; absent ones are left to the cluster's defaults. */
    partition: slurmName('partition', 'gpu'),
    account: slurmName('account', 'my-lab'),
    qos: slurmName('QOS', 'normal'),
    constraint: z.string().trim().min(1, 'Leave the constraint empty or write one, e.g. a100').optional(),
    /** --gres=gpu:N; 0 asks for no GPU. */
    gpus: z.number('GPUs must be a whole number, e.g. 1 (0 for none)').int('GPUs must be a whole number, e.g. 1 (0 for none)').nonnegative('GPUs cannot be negative; 0 asks for none').max(64, 'At most 64 GPUs per job').default(0),
    /** More sbatch options, one per item (e.g. "--mem=32G"). */
    extraArgs: z.array(sbatchOption).default([]),
  }),
  z.object({
    kind: z.literal('ssh'),
    /** `user@host` or a Host alias of ~/.ssh/config; keys come from ssh-agent or the config, never from the app. */
    host: z
      .string()
      .min(1, 'Name the host, e.g. me@gpu-box')
      .regex(/^[^-\s][^\s]*$/, 'Write the host as user@host or a Host alias of ~/.ssh/config (no spaces, not starting with -)'),
    port: z.number().int().min(1).max(65535).optional(),
    /** Absolute folder on the host holding the bare repository and the slot worktrees. */
    remoteDir: z.string().startsWith('/', 'The remote folder must be an absolute path on the host'),
    /** Linked inputs on the host: project-relative name (e.g. data) → absolute path there. */
    linked: z
      .record(z.string(), z.string().startsWith('/', 'A linked input on the host is an absolute path there, e.g. /scratch/me/data'))
      .superRefine((links, ctx) => {
        for (const name of Object.keys(links)) {
          if (!name || name.startsWith('/') || name.split('/').includes('..') || name.includes('\0')) {
            ctx.addIssue({ code: 'custom', path: [name], message: 'A linked input is named by its path inside the project, e.g. data (no leading /, no ..)' });
          }
        }
      })
      .default({}),
    /** Extra `ssh -o` options, e.g. "StrictHostKeyChecking=accept-new". */
    options: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*[= ]\S/, 'An ssh option is Name=value, e.g. StrictHostKeyChecking=accept-new')).default([]),
  }),
]);
export type ExecutorConfig = z.infer<typeof ExecutorConfigSchema>;
export type ExecutorConfigInput = z.input<typeof ExecutorConfigSchema>;

/** Where a slot's experiments run, as Experiment.where says it before a job exists: "local", "ssh:<host>[:port]", "slurm[:partition]". */
export function executorWhere(settings: ExecutorConfig | undefined): string {
  if (!settings || settings.kind === 'local') return 'local';
  if (settings.kind === 'ssh') return `ssh:${settings.host.replace(/^[^@]*@/, '')}${settings.port && settings.port !== 22 ? `:${settings.port}` : ''}`;
  return settings.partition ? `slurm:${settings.partition}` : 'slurm';
}

export const SlotSchema = z.object({
  /** Extra environment for this slot, e.g. { CUDA_VISIBLE_DEVICES: "1" }. */
  env: z.record(z.string(), z.string()).default({}),
  /** Absent: this machine. */
  executor: ExecutorConfigSchema.optional(),
});
export type SlotConfig = z.infer<typeof SlotSchema>;

/** A GPU id as nvidia-smi and CUDA_VISIBLE_DEVICES name it: an index, or a GPU-/MIG- UUID. */
export const GPU_ID = /^(?:\d{1,4}|(?:GPU|MIG)-[0-9A-Za-z-]{1,80})$/;

/**
 * The GPUs a run gives its slots, each leased machine-wide while the run lasts (core/gpu/lease.ts). The CLI's
 * --gpus and --gpus-per-slot override it for one run.
 */
export const GpusSchema = z.object({
  /** GPU ids to use, as nvidia-smi lists them; null: every GPU nvidia-smi reports; []: assign and lease none. */
  use: z
    .array(z.string().regex(GPU_ID, 'Name a GPU as nvidia-smi lists it, e.g. 0 or GPU-…'))
    .refine((ids) => new Set(ids).size === ids.length, 'A GPU is listed twice; list each once')
    .nullable()
    .default(null),
  /** GPUs each slot gets (its CUDA_VISIBLE_DEVICES). */
  perSlot: z.number().int('GPUs per slot must be a whole number').min(1, 'Give each slot at least 1 GPU').max(64).default(1),
});
export type GpusConfig = z.infer<typeof GpusSchema>;
