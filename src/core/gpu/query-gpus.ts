// GPU discovery and one telemetry sample from nvidia-smi on PATH. Telemetry is a nicety: no GPU, no
// driver, a hung tool all mean "no GPUs" ([]), never an error that could stop a run.
import { spawn } from 'node:child_process';
import type { GpuStat } from '../../shared/api.js';
import { NVIDIA_SMI_ARGS, parseNvidiaSmiCsv } from './nvidia-smi-csv.js';

export interface QueryGpusOptions {
  /** Environment for the lookup and the call; its PATH decides which nvidia-smi runs (tests put a fake first). */
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /** Stops a call in flight (the poller stopping); the result is then []. */
  readonly signal?: AbortSignal;
}

export const DEFAULT_GPU_QUERY_TIMEOUT_MS = 5_000;
const MAX_OUTPUT_CHARS = 1024 * 1024;

export function queryGpus(opts: QueryGpusOptions = {}): Promise<GpuStat[]> {
  return new Promise((resolve) => {
    if (opts.signal?.aborted) return resolve([]);
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let pid: number | undefined;
    const onAbort = () => finish([], true);
    const finish = (gpus: GpuStat[], kill: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      // Its own process group, so a hung tool goes with whatever it started and never holds our answer.
      if (kill && pid !== undefined) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      resolve(gpus);
    };
    try {
      const child = spawn('nvidia-smi', [...NVIDIA_SMI_ARGS], {
        env: opts.env ?? process.env,
        stdio: ['ignore', 'pipe', 'ignore'],
        detached: true,
        windowsHide: true,
      });
      pid = child.pid;
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (text: string) => {
        if (out.length < MAX_OUTPUT_CHARS) out += text;
      });
      child.on('error', () => finish([], false));
      child.on('close', (code) => finish(code === 0 ? parseNvidiaSmiCsv(out) : [], false));
      timer = setTimeout(() => finish([], true), opts.timeoutMs ?? DEFAULT_GPU_QUERY_TIMEOUT_MS);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    } catch {
      // spawn itself threw (a bad environment): no GPUs, as the header says, never an error that stops a run.
      finish([], false);
    }
  });
}

/** How many GPUs nvidia-smi reports; 0 without one. */
export async function detectGpuCount(env?: NodeJS.ProcessEnv): Promise<number> {
  return (await queryGpus(env ? { env } : {})).length;
}
