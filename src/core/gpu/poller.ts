// Periodic GPU telemetry for the run view. One call at a time: the next sample is scheduled only after the
// previous one answered, so a slow or hung nvidia-smi never piles up processes.
import type { GpuStat } from '../../shared/api.js';
import { queryGpus } from './query-gpus.js';

export interface GpuPollerOptions {
  readonly intervalMs: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  readonly onStats: (gpus: GpuStat[]) => void;
  /** More GPUs sampled with each tick (SSH hosts'), appended to this machine's. */
  readonly more?: (signal: AbortSignal) => Promise<GpuStat[]>;
}

/** Samples at once, then every intervalMs after each answer. stop() also ends a call in flight. */
export function startGpuPoller(opts: GpuPollerOptions): { stop(): void } {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | null = null;

  const tick = async () => {
    timer = null;
    const [local, more] = await Promise.all([
      queryGpus({
        signal: abort.signal,
        ...(opts.env ? { env: opts.env } : {}),
        ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      }),
      // Telemetry is a nicety: an SSH host that does not answer shows no GPUs this tick, never stops the poll.
      opts.more ? opts.more(abort.signal).catch(() => [] as GpuStat[]) : Promise.resolve([] as GpuStat[]),
    ]);
    const gpus = [...local, ...more];
    if (abort.signal.aborted) return;
    try {
      opts.onStats(gpus);
    } catch {
      // A failing listener must not end telemetry for the rest of the run.
    }
    if (abort.signal.aborted) return;
    timer = setTimeout(() => void tick(), Math.max(0, opts.intervalMs));
    // Telemetry alone must not keep a CLI process alive.
    timer.unref();
  };

  void tick();
  return {
    stop() {
      abort.abort();
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
