// Which executor runs a slot's experiments: the slot's `executor` setting picks it. One run may mix them
// (local GPUs, Slurm slots, SSH hosts) under one journal, one branch and one decision lock.
import type { ExecutorConfig, ProjectConfig } from '../../shared/config.js';
import type { Executor, JobRef, ReattachResult } from './executor.js';
import { createLocalExecutor } from './local-executor.js';
import { createSshExecutor, parseSshHandle } from './ssh-executor.js';
import { createSlurmExecutor } from './slurm-executor.js';

export interface ExecutorContext {
  readonly projectDir: string;
  readonly config: ProjectConfig;
  /** The app's environment (ssh-agent, systemd's bus, Slurm's tools are found through it). */
  readonly env: NodeJS.ProcessEnv;
}

/** The executor of slot `slot` with these settings (the slot index goes into the journaled job refs). */
export function executorFor(settings: ExecutorConfig | undefined, ctx: ExecutorContext, slot = 0): Executor {
  const kind = settings?.kind ?? 'local';
  switch (kind) {
    case 'local':
      return createLocalExecutor({ projectDir: ctx.projectDir, linked: ctx.config.files.linked, env: ctx.env });
    case 'slurm':
      return createSlurmExecutor({ projectDir: ctx.projectDir, linked: ctx.config.files.linked, env: ctx.env, slot, settings: settings as Extract<ExecutorConfig, { kind: 'slurm' }> });
    case 'ssh':
      return createSshExecutor({ projectDir: ctx.projectDir, linked: ctx.config.files.linked, env: ctx.env, slot, settings: settings as Extract<ExecutorConfig, { kind: 'ssh' }>, config: ctx.config });
  }
}

/** One executor per slot (slots with the same settings may share one: executors keep per-slot state by index). */
export function slotExecutors(ctx: ExecutorContext): Executor[] {
  return ctx.config.slots.map((slot, index) => executorFor(slot.executor, ctx, index));
}

/** The settings to find a recorded remote job with: its slot's, or (the config changed since) the kind's defaults. */
function settingsForRef(ref: JobRef, config: ProjectConfig): ExecutorConfig | null {
  const remote = ref.remote!;
  const configured = config.slots[remote.slot]?.executor;
  if (remote.kind === 'ssh') {
    // The handle names the host the job ran on: that host is asked, with the slot's options if it is still the slot's.
    const h = parseSshHandle(remote.handle);
    if (!h) return configured?.kind === 'ssh' ? configured : null;
    const same = configured?.kind === 'ssh' && configured.host === h.host && (configured.port ?? 22) === h.port;
    return { kind: 'ssh', host: h.host, port: h.port, remoteDir: same ? configured.remoteDir : '/', linked: {}, options: same ? configured.options : [] };
  }
  if (configured?.kind === remote.kind) return configured;
  // scancel/squeue need nothing from the slot's settings.
  return { kind: 'slurm', gpus: 0, extraArgs: [] };
}

/**
 * After a restart: every recorded job goes to the executor that started it — local process groups to this
 * machine's, remote jobs grouped by kind and slot to theirs — and what each found is merged.
 */
export async function reattachAll(refs: readonly JobRef[], ctx: ExecutorContext & { readonly runDir: string }): Promise<Required<ReattachResult>> {
  const out = { reattached: [] as JobRef[], killed: [] as number[], notes: [] as string[] };
  const groups = new Map<string, JobRef[]>();
  for (const ref of refs) {
    const key = ref.remote ? `${ref.remote.kind}:${ref.remote.slot}` : 'local';
    groups.set(key, [...(groups.get(key) ?? []), ref]);
  }
  for (const [key, group] of groups) {
    let executor: Executor;
    if (key === 'local') executor = createLocalExecutor({ projectDir: ctx.projectDir, linked: [], env: ctx.env });
    else {
      const settings = settingsForRef(group[0]!, ctx.config);
      const r = group[0]!.remote!;
      if (!settings) {
        out.notes.push(`A ${r.kind} job of slot ${r.slot} (${group.map((g) => g.remote!.handle).join(', ')}) could not be looked up: the slot is no longer configured for ${r.kind}. Check that host by hand.`);
        continue;
      }
      try {
        executor = executorFor(settings, ctx, r.slot);
      } catch (err) {
        out.notes.push(`The ${r.kind} jobs of slot ${r.slot} could not be looked up: ${(err as Error).message}`);
        continue;
      }
    }
    const found = await executor.reattach(group, ctx.runDir);
    out.reattached.push(...found.reattached);
    out.killed.push(...found.killed);
    out.notes.push(...(found.notes ?? []));
  }
  return out;
}
