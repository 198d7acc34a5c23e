// The project's settings, stored in <project>/.autoresearch/config.json.
// One zod schema is the single source of truth: core validates what it loads, main validates what the
// renderer sends, and the setup forms show the same messages next to the fields.
// The sections' schemas live beside this file, one file per concern; they are re-exported here so that
// every importer keeps reading the config from this one module.
import { z } from 'zod';
import { AgentSchema, DEFAULT_PRICES, type Price } from './config-agent.js';
import { MetricSchema } from './config-metric.js';
import { HeldoutSchema } from './config-heldout.js';
import { HooksSchema } from './config-hooks.js';
import { EarlyStopSchema } from './config-early-stop.js';
import { AcceptanceSchema, ApprovalSchema, SandboxSchema, StopSchema } from './config-rules.js';
import { SeedSchema } from './config-seed.js';
import { SearchSchema } from './config-search.js';
import { GpusSchema, SlotSchema } from './config-slots.js';
import { unknownKeysOf } from './config-unknown-keys.js';

export * from './config-agent.js';
export * from './config-early-stop.js';
export * from './config-heldout.js';
export * from './config-hooks.js';
export * from './config-metric.js';
export * from './config-rules.js';
export * from './config-seed.js';
export * from './config-search.js';
export * from './config-slots.js';

export const CONFIG_VERSION = 1 as const;

export const ProjectConfigSchema = z
  .object({
    version: z.literal(CONFIG_VERSION).default(CONFIG_VERSION),
    run: z.object({
      /** Shell command that runs one experiment, e.g. `uv run train.py`. */
      command: z.string().trim().min(1, 'The run command is required'),
      /** Run once at the start of a run, e.g. `uv run prepare.py` (data preparation). */
      setup: z.string().trim().nullable().default(null),
      env: z.record(z.string(), z.string()).default({}),
    }),
    files: z.object({
      /** Globs of the files the agent may edit, e.g. train.py. */
      editable: z.array(z.string().trim().min(1)).min(1, 'Choose at least one file the agent may edit'),
      /** Globs of files that must stay byte-identical (evaluator, data prep); hashed before every experiment. */
      protected: z.array(z.string().trim().min(1)).default([]),
      /** Globs of files the agent may read but not change. */
      context: z.array(z.string().trim().min(1)).default([]),
      /** Untracked inputs the run needs (data/, .venv/), linked into each worktree. */
      linked: z.array(z.string().trim().min(1)).default([]),
    }),
    metric: MetricSchema,
    budget: z.object({
      /** The time budget, given to the command as AUTORESEARCH_TIME_BUDGET. */
      seconds: z.number().positive('The budget must be more than 0 seconds'),
      /** Hard limit; the whole process group is killed after it. null = 2 × budget. */
      timeoutSeconds: z.number().positive().nullable().default(null),
      /** Seconds between SIGTERM and SIGKILL. */
      graceSeconds: z.number().min(0).default(10),
    }),
    acceptance: AcceptanceSchema.default(AcceptanceSchema.parse({})),
    stop: StopSchema.default(StopSchema.parse({})),
    slots: z.array(SlotSchema).min(1, 'At least one slot is needed').default([{ env: {} }]),
    gpus: GpusSchema.default(GpusSchema.parse({})),
    agent: AgentSchema.default(AgentSchema.parse({})),
    sandbox: SandboxSchema.default(SandboxSchema.parse({})),
    approval: ApprovalSchema.default(ApprovalSchema.parse({})),
    /** Which node each proposal starts from (config-search.ts). */
    search: SearchSchema.default(SearchSchema.parse({})),
    /** How the run varies the random seed (see config-seed.ts); null = not decided yet. */
    seed: SeedSchema.nullable().default(null),
    /** A held-out check the agent never sees (config-heldout.ts); null = none. */
    heldout: HeldoutSchema.nullable().default(null),
    /** Commands run around experiments and at a run's start and stop (config-hooks.ts); none by default. */
    hooks: HooksSchema.default(HooksSchema.parse({})),
    /** Stopping candidates whose intermediate curve is clearly worse than the best's (config-early-stop.ts). */
    earlyStop: EarlyStopSchema.default(EarlyStopSchema.parse({})),
    /** Each experiment's log is capped at this many bytes (head and tail are kept). */
    logMaxBytes: z.number().int().min(64 * 1024).default(50 * 1024 * 1024),
  })
  .superRefine((cfg, ctx) => {
    const timeout = cfg.budget.timeoutSeconds;
    if (timeout !== null && timeout < cfg.budget.seconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['budget', 'timeoutSeconds'],
        message: `The timeout (${timeout} s) must be at least the budget (${cfg.budget.seconds} s); leave it empty for 2 × budget`,
      });
    }
    if (cfg.agent.thinkingBudget > 0 && cfg.agent.thinkingBudget >= cfg.agent.maxTokens) {
      ctx.addIssue({
        code: 'custom',
        path: ['agent', 'thinkingBudget'],
        message: 'The thinking budget must be below max tokens',
      });
    }
    if (cfg.agent.thinkingBudget > 0 && cfg.agent.thinkingBudget < 1024) {
      ctx.addIssue({
        code: 'custom',
        path: ['agent', 'thinkingBudget'],
        message: 'A thinking budget is at least 1024 tokens (or 0 for no thinking)',
      });
    }
    if (cfg.agent.proposer === 'command' && !cfg.agent.command) {
      ctx.addIssue({
        code: 'custom',
        path: ['agent', 'command'],
        message: 'The command proposer needs the agent command to run, e.g. claude -p',
      });
    }
    for (const [i, rel] of cfg.files.linked.entries()) {
      const problem = linkedNameProblem(rel);
      if (problem) ctx.addIssue({ code: 'custom', path: ['files', 'linked', i], message: problem });
    }
    for (const glob of cfg.files.editable) {
      if (cfg.files.protected.includes(glob)) {
        ctx.addIssue({
          code: 'custom',
          path: ['files', 'protected'],
          message: `${glob} is both editable and protected; remove it from one of the lists`,
        });
      }
    }
  });
export type ProjectConfig = z.infer<typeof ProjectConfigSchema>;
/** What a user writes: every field with a default may be left out. */
export type ProjectConfigInput = z.input<typeof ProjectConfigSchema>;

export function effectiveTimeoutSeconds(cfg: ProjectConfig): number {
  return cfg.budget.timeoutSeconds ?? cfg.budget.seconds * 2;
}

export function priceFor(cfg: ProjectConfig, model: string): Price | null {
  return cfg.agent.prices[model] ?? DEFAULT_PRICES[model] ?? null;
}

export interface FieldError {
  /** Dotted path of the field, e.g. "metric.name" or "budget.timeoutSeconds". */
  readonly path: string;
  readonly message: string;
}

export type ConfigParseResult =
  | { readonly ok: true; readonly config: ProjectConfig }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

export function parseConfig(raw: unknown): ConfigParseResult {
  const result = ProjectConfigSchema.safeParse(raw);
  // A misspelt key would silently become a default (run.comand, budget.secs): refuse it by name.
  const unknown = unknownConfigKeys(raw);
  if (result.success && unknown.length === 0) return { ok: true, config: result.data };
  return {
    ok: false,
    errors: [
      ...unknown,
      ...(result.success ? [] : result.error.issues).map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      })),
    ],
  };
}

/**
 * Keys of `raw` that the config schema does not know, each with the nearest known key as a suggestion.
 * Read from the schema itself, so every key the schema gains is known here without a second list.
 */
export function unknownConfigKeys(raw: unknown): FieldError[] {
  return unknownKeysOf(ProjectConfigSchema as unknown as z.ZodType, raw);
}

/** One readable paragraph for a CLI or a log: "metric.name: Name the metric ...; budget.seconds: ...". */
export function describeConfigErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('\n');
}

/**
 * Proposals made ahead of the slots (agent.queueDepth; null: one per slot, so one slot works ahead too: the GPU
 * does not wait for the agent, at the cost of each proposal seeing the previous result one step late).
 */
export function proposalQueueDepth(config: Pick<ProjectConfig, 'agent' | 'slots'>): number {
  const set = config.agent.queueDepth;
  if (set !== null && set !== undefined) return set;
  return Math.max(1, config.slots.length);
}

/** `/x` or `C:\x`: an absolute path on either platform (shared code has no node:path). */
const isAbsolutePath = (p: string) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);

/**
 * Why a files.linked entry cannot be an input, by its name alone, or null: it must be a path inside the
 * project, and never the repository (.git) or the app's folder (.autoresearch), which would be handed to
 * the trainer (the project's folder on disk is checked at start, core/project/linked-inputs.ts).
 */
export function linkedNameProblem(rel: string): string | null {
  const clean = rel.replace(/\/+$/, '');
  const parts = clean.split('/');
  if (!clean || clean === '.' || isAbsolutePath(clean) || parts.includes('..') || clean.includes('\0')) {
    return `${JSON.stringify(rel)} is not a folder inside the project; name it by its path there, e.g. data or .venv (no leading /, no ..)`;
  }
  const top = parts.find((p) => p !== '.')?.toLowerCase();
  if (top === '.git' || top === '.autoresearch') {
    return `${clean} is ${top === '.git' ? 'the repository' : "the app's own folder"}, which the trainer must never be given; remove it from files.linked`;
  }
  return null;
}
