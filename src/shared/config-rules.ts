// The config's rules for a run: when a candidate is kept (acceptance), when the run stops, how the sandbox
// narrows agent-written code, and which proposals wait for the researcher's approval.
import { z } from 'zod';

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
  /** On by default (downloads, experiment trackers); false cuts the trainer's, setup's and guard's network to loopback only. Command agents always have it. */
  network: z.boolean().default(true),
  /** true (default) mounts the linked inputs (data/, .venv/) read-only, so a trainer cannot plant code in the venv you run yourself. */
  readOnlyInputs: z.boolean().default(true),
  /**
   * true: each slot has its own ~/.cache and ~/.triton (uv's lock, torch.compile), kept between its experiments
   * and removed at the run's end, and the downloaded Hugging Face models and datasets are writable; false: caches
   * last one command and the downloaded models and datasets are read-only.
   */
  writableCaches: z.boolean().default(true),
  /**
   * Variables of your environment handed to the trainer, setup, guard and command agent beyond the allowlist
   * (PATH, HOME, LANG, CUDA_*, PYTHON*, HF_* …), secret-looking ones included (ANTHROPIC_API_KEY for `claude -p`).
   */
  passEnv: z
    .array(z.string().trim().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'sandbox.passEnv holds variable names (letters, digits, _), e.g. "WANDB_API_KEY"'))
    .default([]),
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
