// The project's settings, stored in <project>/.autoresearch/config.json.
// One zod schema is the single source of truth: core validates what it loads, main validates what the
// renderer sends, and the setup forms show the same messages next to the fields.
import { z } from 'zod';
import { isMetricName, RESERVED_METRIC_NAMES } from './metric-name.js';
import { describeRegexError } from './regex-words.js';

export const CONFIG_VERSION = 1 as const;

const nonEmpty = (what: string) => z.string().trim().min(1, `${what} is required`);

/** How the primary metric is read from the experiment's output. The last occurrence wins. */
export const MetricExtractionSchema = z.discriminatedUnion('kind', [
  /** `val_bpb:          0.997900`, the line autoresearch's train.py prints. */
  z.object({ kind: z.literal('line') }),
  /** `METRIC val_bpb=0.9979`, the convention of benchmark scripts. */
  z.object({ kind: z.literal('metric-line') }),
  /** A regular expression with exactly one capture group that holds the number. */
  z.object({
    kind: z.literal('regex'),
    pattern: z
      .string()
      .min(1, 'Enter a regular expression with one capture group, e.g. loss=([0-9.]+)')
      .superRefine((pattern, ctx) => {
        try {
          const groups = new RegExp(`${pattern}|`).exec('')!.length - 1;
          if (groups !== 1) {
            ctx.addIssue({
              code: 'custom',
              message: `The pattern has ${groups} capture groups; it needs exactly one around the number, e.g. loss=([0-9.]+)`,
            });
          }
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: describeRegexError(err) });
        }
      }),
  }),
  /** A JSON file the command writes, and the key (dotted path) of the number in it. */
  z.object({
    kind: z.literal('json'),
    file: nonEmpty('The JSON file'),
    key: nonEmpty('The key'),
  }),
]);
export type MetricExtraction = z.infer<typeof MetricExtractionSchema>;

/** A name the metric reader can record: letters of any script, digits, _ . - / and µ; not a reserved object key. */
const metricName = (empty: string) =>
  z
    .string()
    .trim()
    .min(1, empty)
    .superRefine((n, ctx) => {
      if (RESERVED_METRIC_NAMES.has(n)) ctx.addIssue({ code: 'custom', message: `${n} is a reserved word and cannot name a metric; choose another name` });
      else if (!isMetricName(n)) ctx.addIssue({ code: 'custom', message: 'A metric name starts with a letter or _ and has no spaces or =, e.g. val_bpb or total_µs' });
    });

export const MetricSchema = z.object({
  name: metricName('Name the metric the command prints, e.g. val_bpb'),
  /** Always explicit: lower is better (loss, bpb, seconds) or higher is better (accuracy, throughput). */
  direction: z.enum(['min', 'max']),
  extract: MetricExtractionSchema.default({ kind: 'line' }),
  /** Other `name: value` / `METRIC name=value` numbers to record with each experiment. */
  secondary: z.array(metricName('A secondary metric needs a name')).default([]),
  /** The secondary metric holding peak memory in MB; results.tsv shows it as memory_gb (MB / 1024). */
  memoryMb: metricName('Name the memory metric, e.g. peak_vram_mb').nullable().default('peak_vram_mb'),
});
export type MetricConfig = z.infer<typeof MetricSchema>;

/** A Slurm partition, account or QOS name (sbatch takes a comma-separated list of partitions). */
const slurmName = (what: string, example: string) =>
  z
    .string()
    .min(1, `Leave the ${what} empty for the cluster's default, or name one, e.g. ${example}`)
    .regex(/^[A-Za-z0-9_.,:+-]+$/, `A Slurm ${what} name has no spaces or special characters, e.g. ${example}`)
    .optional();

/** sbatch options the executor sets itself: one given again would break how the job is followed. */
const RESERVED_SBATCH = ['--output', '-o', '--error', '-e', '--chdir', '-D', '--export', '--parsable', '--wrap', '--array', '-a', '--job-name', '-J'];

const sbatchOption = z
  .string()
  .regex(/^--?[A-Za-z]/, 'Write each extra option as an sbatch option, one per line, e.g. --mem=32G')
  .superRefine((o, ctx) => {
    const name = o.split('=')[0]!;
    if (RESERVED_SBATCH.includes(name)) ctx.addIssue({ code: 'custom', message: `${name} is set by the app (it follows the job's output and working folder); remove it` });
  });

/** Where a slot's experiments run: this machine, a Slurm job per experiment, or a host reached by SSH. */
export const ExecutorConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }),
  z.object({
    kind: z.literal('slurm'),
    /** sbatch options; absent ones are left to the cluster's defaults. */
    partition: slurmName('partition', 'gpu'),
    account: slurmName('account', 'my-lab'),
    qos: slurmName('QOS', 'normal'),
    constraint: z.string().trim().min(1, 'Leave the constraint empty or write one, e.g. a100').optional(),
    /** --gres=gpu:N; 0 asks for no GPU. */
    gpus: z.number('GPUs must be a whole number, e.g. 1 (0 for none)').int('GPUs must be a whole number, e.g. 1 (0 for none)').nonnegative('GPUs cannot be negative; 0 asks for none').max(64, 'At most 64 GPUs per job').default(0),
    /** More sbatch options, one per item (e.g. "--mem=32G"). */
    extraArgs: z.array(sbatchOption).default([]),
  }),
  z.object({
    kind: z.literal('ssh'),
    /** `user@host` or a Host alias of ~/.ssh/config; keys come from ssh-agent or the config, never from the app. */
    host: z
      .string()
      .min(1, 'Name the host, e.g. me@gpu-box')
      .regex(/^[^-\s][^\s]*$/, 'Write the host as user@host or a Host alias of ~/.ssh/config (no spaces, not starting with -)'),
    port: z.number().int().min(1).max(65535).optional(),
    /** Absolute folder on the host holding the bare repository and the slot worktrees. */
    remoteDir: z.string().startsWith('/', 'The remote folder must be an absolute path on the host'),
    /** Linked inputs on the host: project-relative name (e.g. data) → absolute path there. */
    linked: z
      .record(z.string(), z.string().startsWith('/', 'A linked input on the host is an absolute path there, e.g. /scratch/me/data'))
      .superRefine((links, ctx) => {
        for (const name of Object.keys(links)) {
          if (!name || name.startsWith('/') || name.split('/').includes('..') || name.includes('\0')) {
            ctx.addIssue({ code: 'custom', path: [name], message: 'A linked input is named by its path inside the project, e.g. data (no leading /, no ..)' });
          }
        }
      })
      .default({}),
    /** Extra `ssh -o` options, e.g. "StrictHostKeyChecking=accept-new". */
    options: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*[= ]\S/, 'An ssh option is Name=value, e.g. StrictHostKeyChecking=accept-new')).default([]),
  }),
]);
export type ExecutorConfig = z.infer<typeof ExecutorConfigSchema>;
export type ExecutorConfigInput = z.input<typeof ExecutorConfigSchema>;

/** Where a slot's experiments run, as Experiment.where says it before a job exists: "local", "ssh:<host>[:port]", "slurm[:partition]". */
export function executorWhere(settings: ExecutorConfig | undefined): string {
  if (!settings || settings.kind === 'local') return 'local';
  if (settings.kind === 'ssh') return `ssh:${settings.host.replace(/^[^@]*@/, '')}${settings.port && settings.port !== 22 ? `:${settings.port}` : ''}`;
  return settings.partition ? `slurm:${settings.partition}` : 'slurm';
}

export const SlotSchema = z.object({
  /** Extra environment for this slot, e.g. { CUDA_VISIBLE_DEVICES: "1" }. */
  env: z.record(z.string(), z.string()).default({}),
  /** Absent: this machine. */
  executor: ExecutorConfigSchema.optional(),
});
export type SlotConfig = z.infer<typeof SlotSchema>;

/** A GPU id as nvidia-smi and CUDA_VISIBLE_DEVICES name it: an index, or a GPU-/MIG- UUID. */
export const GPU_ID = /^(?:\d{1,4}|(?:GPU|MIG)-[0-9A-Za-z-]{1,80})$/;

/**
 * The GPUs a run gives its slots, each leased machine-wide while the run lasts (core/gpu/lease.ts). The CLI's
 * --gpus and --gpus-per-slot override it for one run.
 */
export const GpusSchema = z.object({
  /** GPU ids to use, as nvidia-smi lists them; null: every GPU nvidia-smi reports; []: assign and lease none. */
  use: z
    .array(z.string().regex(GPU_ID, 'Name a GPU as nvidia-smi lists it, e.g. 0 or GPU-…'))
    .refine((ids) => new Set(ids).size === ids.length, 'A GPU is listed twice; list each once')
    .nullable()
    .default(null),
  /** GPUs each slot gets (its CUDA_VISIBLE_DEVICES). */
  perSlot: z.number().int('GPUs per slot must be a whole number').min(1, 'Give each slot at least 1 GPU').max(64).default(1),
});
export type GpusConfig = z.infer<typeof GpusSchema>;

export const PriceSchema = z.object({
  /** US dollars per million tokens. */
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cacheWrite: z.number().nonnegative(),
  cacheRead: z.number().nonnegative(),
});
export type Price = z.infer<typeof PriceSchema>;

/** A current Sonnet (claude-sonnet-4-5 reaches end of life on 2026-11-30 and makes the SDK warn). */
export const DEFAULT_MODEL = 'claude-sonnet-5-5';

const SONNET: Price = { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 };
const HAIKU: Price = { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 };
const OPUS: Price = { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 };

/**
 * USD per million tokens, used to turn token counts into spend. These are list prices as the app
 * knows them; a model missing here has no cost (spend shows "—"). Add or correct entries in the
 * config's agent.prices, which win over this table.
 */
export const DEFAULT_PRICES: Record<string, Price> = {
  'claude-sonnet-5-5': SONNET,
  'claude-sonnet-5': SONNET,
  'claude-sonnet-4-6': SONNET,
  'claude-sonnet-4-5': SONNET,
  'claude-haiku-5-5': HAIKU,
  'claude-haiku-4-5': HAIKU,
  'claude-opus-5-5': OPUS,
  'claude-opus-5': OPUS,
  'claude-opus-4-8': OPUS,
  'claude-opus-4-7': OPUS,
  'claude-opus-4-6': OPUS,
  'claude-opus-4-5': OPUS,
};

export const AgentSchema = z.object({
  proposer: z.enum(['mutation', 'claude', 'command', 'openai-compatible']).default('mutation'),
  model: z.string().trim().min(1, 'Choose a model').default(DEFAULT_MODEL),
  maxTokens: z.number().int().min(256).max(128_000).default(16_000),
  /** Extended thinking budget in tokens; 0 turns thinking off. Must be below maxTokens. */
  thinkingBudget: z.number().int().min(0).default(0),
  /** Tool calls allowed in one proposal before it is cut off and rejected. */
  maxToolCalls: z.number().int().min(1).max(500).default(40),
  /** External agent CLI for the `command` proposer, e.g. `claude -p` or `codex exec`. */
  command: z.string().trim().nullable().default(null),
  commandPromptVia: z.enum(['stdin', 'arg']).default('stdin'),
  commandTimeoutSeconds: z.number().int().min(10).default(900),
  /** Largest diff (changed lines) a proposal may make before it is rejected. */
  maxDiffLines: z.number().int().min(1).default(2_000),
  /**
   * Pipelined proposals (docs/decisions.md): how many proposals the agent makes ahead, in their own
   * worktrees, while the slots train. null: one per slot with two or more slots, none with one slot (each
   * proposal then sees the result of the one before, like a researcher working alone). 0: never ahead.
   */
  queueDepth: z.number().int().min(0).max(64).nullable().default(null),
  /** Experiments of history shown to the agent. */
  historyLimit: z.number().int().min(0).max(1000).default(50),
  prices: z.record(z.string(), PriceSchema).default({}),
});
export type AgentConfig = z.infer<typeof AgentSchema>;

export const ACCEPTANCE_RULES = ['noise-aware', 'classic'] as const;

export const AcceptanceSchema = z.object({
  /**
   * noise-aware (default): keep only a gain beyond the measured noise, at the stated false-keep rate, confirmed
   * by further runs. classic: autoresearch's rule, keep if better (by more than the minimum improvement).
   */
  rule: z.enum(ACCEPTANCE_RULES).default('noise-aware'),
  /**
   * noise-aware: the one-sided error rate of the final comparison, i.e. the most a change with no real effect
   * that reached it is kept. Screening first runs makes the real rate lower (bench/acceptance: about 0.7 % of changes with no effect are kept at 0.02).
   */
  falseKeepRate: z.number().min(0.0001, 'The false-keep rate must be at least 0.0001').max(0.5, 'The false-keep rate must be at most 0.5 (0.02 = 2 %)').default(0.02),
  /** classic: how large an improvement must be to count: absolute units of the metric, a fraction of the best, or k × noise floor. */
  minImprovementMode: z.enum(['absolute', 'relative', 'noise']).default('absolute'),
  /** absolute: metric units; relative: fraction (0.001 = 0.1 %); noise: k (multiples of the baseline spread). */
  minImprovement: z.number().nonnegative().default(0),
  /** Run the baseline this many times; the spread of the results is the noise floor. */
  baselineRuns: z.number().int().min(1).max(20).default(3),
  /**
   * Extra runs for a promising candidate. noise-aware: up to this many, until the win is confirmed or
   * hopeless. classic: for a win by less than twice the minimum improvement; kept only if the mean still wins.
   */
  confirmRuns: z.number().int().min(0).max(10).default(4),
  /** Audit the result when the run ends on a stop condition: the baseline and the best this many times each (0 = no audit). */
  auditRepeats: z.number().int().min(0).max(100).refine((n) => n !== 1, 'An audit needs at least 2 repeats (or 0 for none)').default(0),
  /** A command that must exit 0 in the candidate's worktree before a keep (e.g. the test suite). */
  guardCommand: z.string().trim().nullable().default(null),
  guardTimeoutSeconds: z.number().int().min(1).default(600),
});
export type AcceptanceConfig = z.infer<typeof AcceptanceSchema>;

export const StopSchema = z.object({
  /** Experiments after the baseline; null = never stop on count. */
  maxExperiments: z.number().int().min(1).nullable().default(null),
  maxHours: z.number().positive().nullable().default(null),
  maxCostUsd: z.number().positive().nullable().default(null),
  /** Stop when the best metric reaches this value (in the metric's direction). */
  target: z.number().nullable().default(null),
  /** Circuit breaker: stop after this many crashes, timeouts or rejections in a row. */
  maxConsecutiveFailures: z.number().int().min(1).default(8),
});
export type StopConfig = z.infer<typeof StopSchema>;

/**
 * The sandbox agent-written code runs in (bubblewrap on Linux). These switches only narrow it: turning the
 * sandbox off is the app's decision (AUTORESEARCH_SANDBOX=off in its environment), never a project's, since a
 * project folder may come from anyone.
 */
export const SandboxSchema = z.object({
  /** false cuts the network of the trainer, the guard and command agents (loopback only). */
  network: z.boolean().default(true),
  /** true mounts the linked inputs (data/, .venv/) read-only. */
  readOnlyInputs: z.boolean().default(false),
  /** ~/.cache and ~/.triton stay writable (uv's cache lock, torch.compile); false makes them read-only. */
  writableCaches: z.boolean().default(true),
});
export type SandboxConfig = z.infer<typeof SandboxSchema>;

/**
 * Which proposals wait for the researcher before they run: none (off), those that change more than
 * `overLines` lines (large), or every one (all). A waiting proposal is journaled and survives a restart.
 */
export const APPROVAL_MODES = ['off', 'large', 'all'] as const;
export const ApprovalSchema = z.object({
  mode: z.enum(APPROVAL_MODES).default('off'),
  /** large: a proposal that adds and removes more than this many lines waits for approval. */
  overLines: z.number().int().min(1, 'The line threshold is at least 1').default(50),
});
export type ApprovalConfig = z.infer<typeof ApprovalSchema>;

export const ProjectConfigSchema = z
  .object({
    version: z.literal(CONFIG_VERSION).default(CONFIG_VERSION),
    run: z.object({
      /** Shell command that runs one experiment, e.g. `uv run train.py`. */
      command: nonEmpty('The run command'),
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
  const out: FieldError[] = [];
  walkKeys(ProjectConfigSchema as unknown as z.ZodType, raw, [], out);
  return out;
}

/** Settings a project's config may no longer hold, with why and what to do instead. */
const RETIRED_KEYS: Readonly<Record<string, string>> = {
  'agent.baseUrl':
    'agent.baseUrl is no longer read from a project\'s config: a config from someone else could send your API key anywhere. Remove it, and set ANTHROPIC_BASE_URL in the app\'s environment instead (https, or http to localhost).',
};

interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly in?: z.ZodType;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

function walkKeys(schema: z.ZodType, value: unknown, at: readonly string[], out: FieldError[]): void {
  if (value === null || value === undefined) return;
  const def = defOf(schema);
  switch (def.type) {
    case 'default':
    case 'prefault':
    case 'nullable':
    case 'optional':
    case 'readonly':
      return walkKeys(def.innerType!, value, at, out);
    case 'pipe':
      return walkKeys(def.in!, value, at, out);
    case 'array':
      if (Array.isArray(value)) value.forEach((v, i) => walkKeys(def.element!, v, [...at, String(i)], out));
      return;
    case 'record':
      if (typeof value === 'object' && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value)) walkKeys(def.valueType!, v, [...at, k], out);
      }
      return;
    case 'union': {
      // A discriminated union (metric.extract): check against the option its discriminator picks.
      if (!def.discriminator || typeof value !== 'object') return;
      const tag = (value as Record<string, unknown>)[def.discriminator];
      const option = def.options?.find((o) => {
        const field = defOf(o).shape?.[def.discriminator!];
        return field !== undefined && (defOf(field) as SchemaDef & { values?: unknown[] }).values?.includes(tag);
      });
      if (option) walkKeys(option, value, at, out);
      return;
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return;
      const shape = def.shape ?? {};
      for (const [k, v] of Object.entries(value)) {
        const field = shape[k];
        if (field) {
          walkKeys(field, v, [...at, k], out);
          continue;
        }
        const path = [...at, k].join('.');
        const retired = RETIRED_KEYS[path];
        if (retired) {
          out.push({ path, message: retired });
          continue;
        }
        const near = nearestKey(k, Object.keys(shape));
        const where = at.length ? `${at.join('.')}` : 'the config';
        out.push({
          path,
          message: `Unknown setting "${path}"${near ? ` — did you mean "${[...at, near].join('.')}"?` : ''} Known in ${where}: ${Object.keys(shape).join(', ')}. Remove or rename it; a misspelt setting would silently fall back to its default.`,
        });
      }
      return;
    }
    default:
      return;
  }
}

/** The known key closest to `key` (edit distance, case-insensitive), if it is close enough to be a typo. */
function nearestKey(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  if (best === null) return null;
  if (bestDistance <= Math.max(2, Math.floor(key.length / 3))) return best;
  // An abbreviation (secs → seconds, cmd → command): the key's letters in order, same first letter.
  const abbreviated = known.find((k) => key.length >= 3 && k[0]?.toLowerCase() === key[0]?.toLowerCase() && isSubsequence(key.toLowerCase(), k.toLowerCase()));
  return abbreviated ?? null;
}

function isSubsequence(short: string, long: string): boolean {
  let i = 0;
  for (const c of long) if (c === short[i]) i += 1;
  return i === short.length;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** One readable paragraph for a CLI or a log: "metric.name: Name the metric ...; budget.seconds: ...". */
export function describeConfigErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('\n');
}

/** Proposals made ahead of the slots (agent.queueDepth; null: one per slot with two or more slots). */
export function proposalQueueDepth(config: Pick<ProjectConfig, 'agent' | 'slots'>): number {
  const set = config.agent.queueDepth;
  if (set !== null && set !== undefined) return set;
  return config.slots.length > 1 ? config.slots.length : 0;
}
