// GPU telemetry for the dashboard: this machine's GPUs (none where there is no nvidia-smi) and the open
// project's SSH hosts', polled, with a push only when something changed.
import type { GpuStat, StudioEventBody } from '../../shared/api.js';
import type { ProjectConfig } from '../../shared/config.js';
import { gpuHostsOf, queryGpus, queryRemoteGpus, startGpuPoller } from '../gpu/index.js';

const GPU_POLL_MS = 3000;

export interface GpuState {
  /** The latest stats, as the last poll or query saw them. */
  current(): readonly GpuStat[];
  /** Ask this machine's GPUs now (the Api's listGpus). */
  query(): Promise<readonly GpuStat[]>;
  stop(): void;
}

export function createGpuState(opts: {
  readonly env: NodeJS.ProcessEnv;
  readonly push: (body: StudioEventBody) => void;
  /** The open project's config (its SSH slots name the hosts to ask too). */
  readonly config: () => ProjectConfig | null | undefined;
}): GpuState {
  let gpus: readonly GpuStat[] = [];
  const poller = startGpuPoller({
    intervalMs: GPU_POLL_MS,
    env: opts.env,
    // The open project's SSH hosts, over the same shared connection the slots use.
    more: async (signal) => (await Promise.all(gpuHostsOf(opts.config(), opts.env).map((h) => queryRemoteGpus(h, { timeoutMs: 10_000, signal })))).flat(),
    onStats: (stats) => {
      if (JSON.stringify(stats) === JSON.stringify(gpus)) return;
      gpus = stats;
      opts.push({ type: 'gpus', gpus });
    },
  });
  return {
    current: () => gpus,
    async query() {
      gpus = await queryGpus({ env: opts.env });
      return gpus;
    },
    stop: () => poller.stop(),
  };
}
