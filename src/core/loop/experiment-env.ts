// The environment of an experiment's process (trainer, setup, guard): an allowlist of the app's (sandboxEnv),
// then the config's run.env and the slot's env. The trainer is code the agent wrote: no key of the user's may
// reach it unless the user named it in sandbox.passEnv.
import type { ProjectConfig } from '../../shared/config.js';
import { sandboxEnv } from '../agent/secrets-env.js';

export interface ExperimentEnvInput {
  readonly base: NodeJS.ProcessEnv;
  readonly config: ProjectConfig;
  readonly slot: number;
  readonly tag: string;
  readonly id: number;
  readonly runDir: string;
  readonly nodePath: string;
  readonly nodeEnv?: Readonly<Record<string, string>>;
}

export function experimentEnv(i: ExperimentEnvInput): Record<string, string> {
  const env = sandboxEnv(i.base, i.config.sandbox.passEnv);
  Object.assign(env, i.config.run.env, i.config.slots[i.slot]?.env ?? {}, i.nodeEnv ?? {});
  env.AUTORESEARCH_TIME_BUDGET = String(i.config.budget.seconds);
  env.AUTORESEARCH_NODE = i.nodePath;
  env.AUTORESEARCH_TAG = i.tag;
  env.AUTORESEARCH_EXPERIMENT_ID = String(i.id);
  env.AUTORESEARCH_SLOT = String(i.slot);
  // The marker that lets a restarted app find (and only find) this run's orphaned processes.
  env.AUTORESEARCH_RUN_DIR = i.runDir;
  // Line-buffered Python output, so the live log and the metric arrive as they are printed.
  env.PYTHONUNBUFFERED = env.PYTHONUNBUFFERED ?? '1';
  return env;
}
