// Which executor runs a slot's experiments: the slot's `executor` setting picks it. One run may mix them
// (local GPUs, Slurm slots, SSH hosts) under one journal, one branch and one decision lock.
import type { ExecutorConfig, ProjectConfig } from '../../shared/config.js';
import type { Executor } from './executor.js';
import { createLocalExecutor } from './local-executor.js';
import { createSshExecutor } from './ssh-executor.js';

export interface ExecutorContext {
  readonly projectDir: string;
  readonly config: ProjectConfig;
  /** The app's environment (ssh-agent, systemd's bus, Slurm's tools are found through it). */
  readonly env: NodeJS.ProcessEnv;
}

export function executorFor(settings: ExecutorConfig | undefined, ctx: ExecutorContext, slot = 0): Executor {
  switch (settings?.kind ?? 'local') {
    case 'local':
      return createLocalExecutor({ projectDir: ctx.projectDir, linked: ctx.config.files.linked, env: ctx.env });
    case 'slurm':
      throw new Error('Slurm slots are not available in this version. Set the slot\'s executor to "local".');
    case 'ssh':
      return createSshExecutor({ projectDir: ctx.projectDir, linked: ctx.config.files.linked, env: ctx.env, slot, settings: settings as Extract<ExecutorConfig, { kind: 'ssh' }>, config: ctx.config });
  }
}

/** One executor per slot (slots with the same settings may share one: executors keep per-slot state by index). */
export function slotExecutors(ctx: ExecutorContext): Executor[] {
  return ctx.config.slots.map((slot, index) => executorFor(slot.executor, ctx, index));
}
