// The config's hooks section (issue #25): the project's own commands, run by the app around its work — before
// and after each experiment, and when a run starts and stops (pi-autoresearch's most used feature: notify a
// chat, sync results, look something up for the agent). Each runs in the sandbox with a time limit and gets a
// JSON record on stdin; what a before-hook prints becomes a steering note for the next proposal. A hook that
// fails is logged and the run goes on, unless `failStopsRun` says it must stop the run.
import { z } from 'zod';

export const HOOK_NAMES = ['beforeExperiment', 'afterExperiment', 'runStart', 'runStop'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

/** What each hook is for, in the words the Setup form, trust and the journal use. */
export const HOOK_WHAT: Readonly<Record<HookName, string>> = {
  beforeExperiment: 'runs before each experiment; what it prints becomes a steering note for the agent',
  afterExperiment: "runs after each experiment with that experiment's record on stdin",
  runStart: 'runs once when a run starts (or resumes)',
  runStop: 'runs once when a run stops',
};

export const HookSchema = z.object({
  /** Shell command, e.g. `python hooks/notify.py`; stdin holds the record as JSON. */
  command: z.string().trim().min(1, 'Enter the hook command, e.g. python hooks/notify.py, or remove the hook'),
  /** null: the section's failStopsRun. */
  failStopsRun: z.boolean().nullable().default(null),
  /** null: the section's timeoutSeconds. */
  timeoutSeconds: z.number().positive('A hook timeout must be more than 0 seconds').nullable().default(null),
});
export type HookConfig = z.infer<typeof HookSchema>;

export const HooksSchema = z.object({
  beforeExperiment: HookSchema.nullable().default(null),
  afterExperiment: HookSchema.nullable().default(null),
  runStart: HookSchema.nullable().default(null),
  runStop: HookSchema.nullable().default(null),
  /** A hook that fails (exits non-zero, times out, cannot start) stops the run; each hook may say otherwise. */
  failStopsRun: z.boolean().default(false),
  /** Hard limit for one hook run; its whole process group is killed after it. */
  timeoutSeconds: z.number().positive('The hooks timeout must be more than 0 seconds').default(60),
});
export type HooksConfig = z.infer<typeof HooksSchema>;

/** A hook as it runs: its command, whether its failure stops the run, its limit in seconds; null: not set. */
export function effectiveHook(hooks: HooksConfig, name: HookName): { readonly command: string; readonly failStopsRun: boolean; readonly timeoutSeconds: number } | null {
  const h = hooks[name];
  if (!h) return null;
  return { command: h.command, failStopsRun: h.failStopsRun ?? hooks.failStopsRun, timeoutSeconds: h.timeoutSeconds ?? hooks.timeoutSeconds };
}
