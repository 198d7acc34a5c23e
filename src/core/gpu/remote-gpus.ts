// GPU telemetry of SSH hosts: the same nvidia-smi query as this machine's, run on the host through the slots' shared
// shell there (exec/ssh-shell.ts), so a sample costs no new ssh session (each runs the host's ~/.bashrc). Like
// local telemetry it is a nicety: an unreachable host, no driver or a hung tool all mean "no GPUs there" ([]),
// never an error.
import type { GpuStat } from '../../shared/api.js';
import { executorWhere, type ProjectConfig } from '../../shared/config.js';
import { shellQuote, type SshTarget } from '../exec/ssh-connection.js';
import { remoteShell } from '../exec/ssh-shell.js';
import { NVIDIA_SMI_ARGS, parseNvidiaSmiCsv } from './nvidia-smi-csv.js';

export interface GpuHost {
  /** As Experiment.where and LiveSlot.where say it ("ssh:gpu-box"): GpuStat.host of its GPUs. */
  readonly where: string;
  readonly target: SshTarget;
}

/** The distinct SSH hosts of a project's slots. */
export function gpuHostsOf(config: ProjectConfig | null | undefined, env: NodeJS.ProcessEnv): GpuHost[] {
  const out = new Map<string, GpuHost>();
  for (const slot of config?.slots ?? []) {
    const ex = slot.executor;
    if (ex?.kind !== 'ssh') continue;
    const where = executorWhere(ex);
    if (!out.has(where)) out.set(where, { where, target: { host: ex.host, port: ex.port, options: ex.options, env } });
  }
  return [...out.values()];
}

/** One sample of every GPU of `host`, each marked with the host. */
export async function queryRemoteGpus(host: GpuHost, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<GpuStat[]> {
  try {
    const r = await remoteShell(host.target).run(`nvidia-smi ${NVIDIA_SMI_ARGS.map(shellQuote).join(' ')} 2>/dev/null\n`, opts);
    if (r.code !== 0) return [];
    return parseNvidiaSmiCsv(r.stdout).map((g) => ({ ...g, host: host.where }));
  } catch {
    // An unreachable host shows no GPUs this tick (telemetry); its jobs report their own connection errors.
    return [];
  }
}
