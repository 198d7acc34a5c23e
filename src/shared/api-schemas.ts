// The Api's requests as zod schemas: the validation at the trust boundary, where main and the WebSocket
// server check what the (untrusted) renderer sends before any handler sees it.
import { z } from 'zod';
import { MetricSchema, SlotSchema } from './config.js';
import { ApiError } from './api-error.js';

const tag = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'A tag is letters, digits, . _ - (e.g. nov24)');
const id = z.number().int().min(0);

export const apiSchemas = {
  snapshot: z.object({}).strict(),
  eventsSince: z.object({ seq: z.number().int().min(0) }).strict(),
  openProject: z.object({ dir: z.string().min(1) }).strict(),
  /**
   * The desktop's native folder picker, then openProject on the chosen folder; null when the user cancels.
   * The page never lists folders itself. Refused under `serve` (no native dialog there: type the path).
   */
  chooseProject: z.object({}).strict(),
  /**
   * The folders inside `dir` (names only, no hidden ones, at most 500), to complete a typed project path
   * under serve, where there is no folder picker.
   */
  listFolders: z.object({ dir: z.string().min(1).max(4096) }).strict(),
  /** Copy the bundled demo into dir (or a fresh folder in the app's data directory) and open it. */
  createDemo: z.object({ dir: z.string().min(1).optional() }).strict(),
  /** Make the folder a git repository (with an initial commit) so runs can start. */
  gitInit: z.object({}).strict(),
  closeProject: z.object({}).strict(),
  validateConfig: z.object({ config: z.unknown() }).strict(),
  saveConfig: z.object({ config: z.unknown() }).strict(),
  testMetric: z
    .object({
      metric: MetricSchema,
      /** Pasted output; when absent, the last experiment's log is used. */
      text: z.string().max(10_000_000).optional(),
    })
    .strict(),
  /** Setup's early stopping: the points `pattern` reads from pasted output, or from the last experiment's log. */
  testCurve: z
    .object({
      pattern: z.string().max(2_000),
      text: z.string().max(10_000_000).optional(),
    })
    .strict(),
  /**
   * The setup form's "Test" of a slot: a harmless command run where the slot's experiments would run
   * (`nvidia-smi -L` here or over SSH, `sinfo` for a Slurm slot), with the slot's settings as typed (unsaved).
   */
  testSlot: z.object({ slot: SlotSchema }).strict(),
  listFiles: z.object({}).strict(),
  /**
   * Setup's Seed section: how the project sets its random seed, read from the files the form names (unsaved
   * editable and context globs, the run command's script); without them, the saved or suggested config's.
   */
  detectSeed: z
    .object({
      editable: z.array(z.string().max(1000)).max(200).optional(),
      context: z.array(z.string().max(1000)).max(200).optional(),
      command: z.string().max(10_000).optional(),
    })
    .strict(),
  readProgram: z.object({}).strict(),
  saveProgram: z.object({ text: z.string().max(2_000_000) }).strict(),
  startRun: z
    .object({
      tag: tag.optional(),
      proposer: z.enum(['mutation', 'claude', 'command', 'openai-compatible']).optional(),
      maxExperiments: z.number().int().min(1).optional(),
    })
    .strict(),
  pauseRun: z.object({}).strict(),
  resumeRun: z.object({}).strict(),
  stopRun: z.object({}).strict(),
  steer: z.object({ note: z.string().trim().min(1, 'Write a note for the agent').max(4000) }).strict(),
  /**
   * Answer a proposal waiting for approval: approve it, run an edit of it (the files as the researcher wants
   * them), or reject it with a note the agent sees in its next prompt. Works for a run this app started, one
   * another process started, and a stopped one (it then acts when resumed).
   */
  answerApproval: z
    .object({
      tag,
      id,
      answer: z.enum(['approve', 'edit', 'reject']),
      note: z.string().max(4000, 'Keep the note under 4000 characters').optional(),
      files: z
        .array(z.object({ path: z.string().min(1).max(1024), content: z.string().max(2 * 1024 * 1024, 'An edited file is at most 2 MB') }).strict())
        .max(50)
        .optional(),
    })
    .strict(),
  /** The text files of a waiting proposal as proposed, for editing it before it runs. */
  readProposalFiles: z.object({ tag, id }).strict(),
  listRuns: z.object({}).strict(),
  /**
   * A run with its experiments (sorted by id). offset/limit page the experiments, so a 10,000-experiment run
   * arrives in parts small enough to parse without freezing the UI; without them, all of them.
   */
  getRun: z.object({ tag, offset: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(100_000).optional() }).strict(),
  getDiff: z.object({ tag, id, against: z.enum(['parent', 'baseline']) }).strict(),
  logInfo: z.object({ tag, id, run: z.number().int().min(0).optional() }).strict(),
  readLogLines: z
    .object({ tag, id, run: z.number().int().min(0).optional(), start: z.number().int().min(0), count: z.number().int().min(1).max(5000) })
    .strict(),
  getTranscript: z.object({ tag, id }).strict(),
  exportReport: z.object({ tag, format: z.enum(['html', 'md']) }).strict(),
  /** A run's HTML report, rendered and not written: the Reports view shows it on opening. */
  previewReport: z.object({ tag }).strict(),
  /** The report of any autoresearch results.tsv (its text, read by the renderer), as `report --from-tsv` makes it. Needs no open project. */
  reportFromTsv: z
    .object({
      text: z.string().max(30_000_000, 'That file is too large for a results.tsv (over 30 MB)'),
      fileName: z.string().trim().min(1).max(300),
      format: z.enum(['html', 'md']),
      direction: z.enum(['min', 'max']).optional(),
    })
    .strict(),
  /** A new branch from the run's start commit with one commit per kept improvement (or one, squashed), and a .patch file. */
  finalizeRun: z
    .object({
      tag,
      branch: z.string().trim().min(1, 'Name the branch').max(200).optional(),
      squash: z.boolean().optional(),
      /** Only keeps at least this many standard errors above the noise. */
      minConfidence: z.number().finite().min(0, 'The minimum confidence is a number of standard errors, 0 or more').max(1000).optional(),
      /** Only keeps whose contribution in the run's ablation (ablation.json, the metric's unit) is at least this. */
      minContribution: z.number().finite().optional(),
    })
    .strict(),
  /** Re-run the baseline and the best K times each, interleaved, and journal the improvement with its 95 % interval. */
  auditRun: z.object({ tag, repeats: z.number().int().min(2, 'At least 2 repeats: an interval needs two pairs').max(100).optional() }).strict(),
  /**
   * The ablation (issue #22): the best without each kept change, K paired-seed runs each, a contribution with its
   * interval per keep; saved as runs/<tag>/ablation.json. Long: progress arrives as 'ablation' pushes.
   */
  ablateRun: z.object({ tag, repeats: z.number().int().min(2, 'At least 2 repeats: an interval needs two pairs').max(100).optional() }).strict(),
  /** Stop the ablation of that run (nothing is saved); null when none was running is no error. */
  cancelAblation: z.object({ tag }).strict(),
  /** The run's saved ablation; null when none was made. */
  getAblation: z.object({ tag }).strict(),
  /** What the open project would make the app run (its commands, git's program config) and whether it is trusted. */
  projectTrust: z.object({}).strict(),
  /** Trust the open project's commands as shown: `hash` is the report's, so a project that changed since is refused. */
  trustProject: z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/, 'The hash is the one projectTrust answered') }).strict(),
  setApiKey: z.object({ key: z.string().trim().min(8, 'That does not look like an API key') }).strict(),
  clearApiKey: z.object({}).strict(),
  listGpus: z.object({}).strict(),
  /** The app's webhook for run notifications (never a project's): where it posts, never the URL's secret path. */
  getWebhook: z.object({}).strict(),
  /** Set the webhook URL, or with null turn it off. */
  setWebhook: z.object({ url: z.string().trim().min(1, 'Paste the webhook URL').max(2000).nullable() }).strict(),
  /** Send a test message to the webhook now. */
  testWebhook: z.object({}).strict(),
} as const;

export type ApiMethod = keyof typeof apiSchemas;
export type ApiArgs<M extends ApiMethod> = z.input<(typeof apiSchemas)[M]>;

export const API_METHODS = Object.keys(apiSchemas) as ApiMethod[];

/** Validate a request at the trust boundary; throws ApiError('invalid-args') with readable field errors. */
export function parseApiArgs<M extends ApiMethod>(method: M, args: unknown): z.output<(typeof apiSchemas)[M]> {
  const schema = apiSchemas[method] as z.ZodType;
  const result = schema.safeParse(args ?? {});
  if (!result.success) {
    const fieldErrors = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    throw new ApiError({
      code: 'invalid-args',
      message: `Invalid request to ${method}: ${fieldErrors.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join('; ')}`,
      fieldErrors,
    });
  }
  return result.data as z.output<(typeof apiSchemas)[M]>;
}

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(apiSchemas, name);
}
