// The environment of an experiment's process. The API key is removed: the trainer is code the agent
// wrote, and it must not be able to print the key into a log.
import type { ProjectConfig } from '../../shared/config.js';

export const SECRET_ENV_KEYS = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'];

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
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(i.base)) if (v !== undefined && !SECRET_ENV_KEYS.includes(k)) env[k] = v;
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
