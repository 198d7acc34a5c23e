// The contract between the engine and any UI: requests (Api) and pushes (StudioEvent).
// Transport-agnostic and JSON-safe: the same calls travel over Electron IPC (src/main + src/preload)
// and over a WebSocket (`autoresearch serve`). Every request's arguments have a zod schema here so
// main and the WebSocket server validate what the (untrusted) renderer sends.
import { z } from 'zod';
import type { FieldError, ProjectConfig, ProjectConfigInput } from './config.js';
import { MetricSchema, SlotSchema } from './config.js';
import type { RunUsage } from './slot-usage.js';
import type { Experiment, RunCounts } from './experiment.js';
import type { AuditEvent, StopReason } from './journal.js';

// ---------------------------------------------------------------------------------------------
// Data types

export interface AppInfo {
  readonly version: string;
  /** 'electron' in the desktop app, 'serve' behind `autoresearch serve`. */
  readonly host: 'electron' | 'serve';
  readonly platform: string;
}

export type ProjectLayout = 'autoresearch' | 'generic';

export interface ProjectInfo {
  readonly dir: string;
  readonly name: string;
  readonly isGit: boolean;
  readonly layout: ProjectLayout;
  /** The saved config, or null when .autoresearch/config.json is missing or invalid. */
  readonly config: ProjectConfig | null;
  /** Why the saved config is invalid (empty when valid or missing). */
  readonly configErrors: readonly FieldError[];
  /** What the setup form is prefilled with when there is no config yet (detected layout). */
  readonly suggestedConfig: ProjectConfigInput;
  readonly hasProgram: boolean;
  /** The user's current branch and HEAD (null when not a git repository or no commit yet). */
  readonly branch: string | null;
  readonly head: string | null;
  /** Tracked files with uncommitted changes; a run refuses to start while there are any. */
  readonly dirtyFiles: readonly string[];
  /**
   * The project's path inside its repository when it is a subfolder (a monorepo's `packages/model`); absent or
   * null at the repository's top.
   */
  readonly repoSubfolder?: string | null;
}

export type RunState = 'starting' | 'running' | 'pausing' | 'paused' | 'stopping' | 'stopped';

export interface RunSummary {
  readonly tag: string;
  readonly branch: string;
  readonly startedAt: string;
  readonly lastEventAt: string;
  /** 'stopped' for every run that is not live in this app. */
  readonly state: RunState;
  readonly stopReason: StopReason | null;
  readonly stopMessage: string | null;
  readonly proposer: string;
  readonly metricName: string;
  readonly direction: 'min' | 'max';
  readonly baseline: number | null;
  /** The current estimate of the best: the mean of all its runs, re-measurements included. */
  readonly best: number | null;
  /** How many runs `best` is the mean of; say it with wording.ts's formatEstimate ("1.503187 (mean of 3)"). */
  readonly bestRuns: number | null;
  readonly bestId: number | null;
  readonly bestCommit: string | null;
  /** Standard deviation of the baseline repeats, null with a single baseline run. */
  readonly noiseFloor: number | null;
  /** Records per status; counts.keep includes the baseline when it was measured. */
  readonly counts: RunCounts;
  /** Candidates kept after the baseline: what "kept" means everywhere (wording.ts). */
  readonly keptImprovements: number;
  readonly costUsd: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Sum of experiment wall times (training), for GPU-hours. */
  readonly trainingMs: number;
  /** From the first to the last event, pauses included. */
  readonly elapsedMs: number;
  /** Per slot: trainer time (GPU-hours) and idle time, from the journal (shared/slot-usage.ts). */
  readonly usage?: RunUsage;
}

export interface SteeringNote {
  readonly at: string;
  readonly note: string;
}

export interface RunNotice {
  readonly at: string;
  readonly level: 'info' | 'warning' | 'error';
  readonly message: string;
  readonly id?: number;
}

/** A proposal that waits for the researcher's answer (config.approval), or was answered and not yet run. */
export interface ApprovalItem {
  readonly id: number;
  readonly description: string;
  readonly hypothesis: string;
  /** The proposed commit and the best it was made on (getDiff shows the change). */
  readonly commit: string;
  readonly parentCommit: string;
  readonly changedFiles: readonly string[];
  readonly changedLines: number;
  /** Why it waits, e.g. "changes 120 lines, over 50 (approval: large)". */
  readonly reason: string;
  readonly requestedAt: string;
  /** The answer given while the run was stopped, applied when it resumes; null while it waits. */
  readonly answer: 'approve' | 'edit' | 'reject' | null;
}

export interface RunDetail extends RunSummary {
  readonly config: ProjectConfig;
  readonly startCommit: string;
  readonly experiments: readonly Experiment[];
  readonly steering: readonly SteeringNote[];
  readonly notices: readonly RunNotice[];
  /** The latest audit of the result (`autoresearch audit`, the History's Audit button); null when none. */
  readonly audit?: AuditEvent | null;
  /** Proposals waiting for approval (oldest first); empty when none. */
  readonly approvals?: readonly ApprovalItem[];
}

export type SlotPhase = 'idle' | 'proposing' | 'committing' | 'running' | 'confirming' | 'guarding' | 'deciding' | 'waiting';

export interface LiveSlot {
  readonly slot: number;
  readonly env: Readonly<Record<string, string>>;
  readonly phase: SlotPhase;
  readonly experimentId: number | null;
  readonly description: string | null;
  /** ISO time the current experiment / phase started. */
  readonly experimentStartedAt: string | null;
  readonly phaseStartedAt: string | null;
  /** Metrics parsed from the output so far. */
  readonly metricsSoFar: Readonly<Record<string, number>>;
  /** Why the slot waits (API down, retry in N s). */
  readonly waitingReason: string | null;
  /** Where the slot's experiments run: "local", "ssh:<host>", "slurm…" (absent from older hosts: local). */
  readonly where?: string;
  /** The job running elsewhere now, as its executor names it (the process group on the host, a Slurm job id). */
  readonly job?: string | null;
}

export interface StopConditionProgress {
  readonly kind: 'max-experiments' | 'max-hours' | 'max-cost' | 'target' | 'failures';
  readonly label: string;
  readonly current: number;
  readonly limit: number;
  /** 0..1 */
  readonly fraction: number;
}

export interface LiveRun {
  readonly tag: string;
  readonly state: RunState;
  readonly budgetSeconds: number;
  readonly timeoutSeconds: number;
  readonly slots: readonly LiveSlot[];
  readonly stopConditions: readonly StopConditionProgress[];
}

export interface GpuStat {
  readonly index: number;
  /** The SSH host it is on, as LiveSlot.where says it ("ssh:gpu-box"); absent: this machine. */
  readonly host?: string;
  readonly name: string;
  readonly utilizationPercent: number | null;
  readonly memoryUsedMb: number | null;
  readonly memoryTotalMb: number | null;
  readonly temperatureC: number | null;
  readonly powerW: number | null;
}

export interface Snapshot {
  /** The seq of the last event folded into this snapshot; apply only events with a larger seq. */
  readonly seq: number;
  readonly app: AppInfo;
  readonly project: ProjectInfo | null;
  readonly runs: readonly RunSummary[];
  readonly live: LiveRun | null;
  readonly gpus: readonly GpuStat[];
  readonly recentProjects: readonly string[];
  readonly apiKey: ApiKeyStatus;
  /** Why agent-written code runs without the sandbox here (bubblewrap missing, not Linux, turned off); null when sandboxed. */
  readonly sandboxWarning?: string | null;
}

export interface ApiKeyStatus {
  readonly set: boolean;
  /** Where it comes from: the app's secret store, or the ANTHROPIC_API_KEY environment variable. */
  readonly source: 'store' | 'env' | null;
  /** e.g. Linux without a keyring: the key would be stored with weak protection. */
  readonly warning: string | null;
  /** The host the key is sent to (api.anthropic.com, or the app's ANTHROPIC_BASE_URL); an error when that is refused. */
  readonly endpoint: { readonly host: string | null; readonly error: string | null };
}

export interface FileEntry {
  /** Relative to the project root, forward slashes. */
  readonly path: string;
  readonly type: 'file' | 'dir';
  readonly tracked: boolean;
  readonly size: number | null;
}

/** What a slot's "Test" ran and answered; ok false: the error, saying what to fix. */
export interface SlotTestResult {
  readonly ok: boolean;
  readonly command: string;
  readonly output: string;
}

export interface MetricTestResult {
  readonly value: number | null;
  /** Every `name: value` / `METRIC name=value` number found (for secondary metrics). */
  readonly metrics: Readonly<Record<string, number>>;
  /** The line (or JSON key) the value came from. */
  readonly matched: string | null;
  /** Why nothing was found, in words the user can act on. */
  readonly error: string | null;
}

export interface LogInfo {
  readonly path: string;
  readonly bytes: number;
  readonly lines: number;
  /** True while the experiment still writes to it. */
  readonly growing: boolean;
}

export interface LogLines {
  readonly start: number;
  readonly lines: readonly string[];
  readonly totalLines: number;
}

export interface DiffResult {
  readonly from: string;
  readonly to: string;
  /** Unified diff text (git diff format). */
  readonly diff: string;
  readonly files: readonly { readonly path: string; readonly additions: number; readonly deletions: number }[];
}

export type SaveResult =
  | { readonly ok: true; readonly project: ProjectInfo }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

// ---------------------------------------------------------------------------------------------
// Pushes. Every event carries a monotonically increasing seq; clients apply them idempotently and,
// after a reconnect, ask for eventsSince(lastSeq).

// Pushes about runs name the project folder they belong to (`project`): two projects may each have a run
// with the same tag (both auto-tagged on the same day), and a push that was on its way while the user opened
// another project must not land in the new project's views.
export type StudioEventBody =
  | { readonly type: 'project'; readonly project: ProjectInfo | null }
  | { readonly type: 'runs'; readonly project: string | null; readonly runs: readonly RunSummary[] }
  | { readonly type: 'live'; readonly project: string | null; readonly live: LiveRun | null }
  | { readonly type: 'experiment'; readonly project: string; readonly tag: string; readonly experiment: Experiment }
  /** New output of a running experiment, batched (at most 4 per second per experiment). */
  | { readonly type: 'log'; readonly project: string; readonly tag: string; readonly id: number; readonly text: string }
  | { readonly type: 'gpus'; readonly gpus: readonly GpuStat[] }
  | { readonly type: 'notice'; readonly level: 'info' | 'warning' | 'error'; readonly message: string }
  | { readonly type: 'apiKey'; readonly apiKey: ApiKeyStatus }
  | { readonly type: 'recent'; readonly recentProjects: readonly string[] };

export type StudioEvent = StudioEventBody & { readonly seq: number };

// ---------------------------------------------------------------------------------------------
// Requests. The schemas are the validation at the trust boundary; the Api interface is the typed view.

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
  /**
   * The setup form's "Test" of a slot: a harmless command run where the slot's experiments would run
   * (`nvidia-smi -L` here or over SSH, `sinfo` for a Slurm slot), with the slot's settings as typed (unsaved).
   */
  testSlot: z.object({ slot: SlotSchema }).strict(),
  listFiles: z.object({}).strict(),
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
    })
    .strict(),
  /** Re-run the baseline and the best K times each, interleaved, and journal the improvement with its 95 % interval. */
  auditRun: z.object({ tag, repeats: z.number().int().min(2, 'At least 2 repeats: an interval needs two pairs').max(100).optional() }).strict(),
  setApiKey: z.object({ key: z.string().trim().min(8, 'That does not look like an API key') }).strict(),
  clearApiKey: z.object({}).strict(),
  listGpus: z.object({}).strict(),
} as const;

export type ApiMethod = keyof typeof apiSchemas;
export type ApiArgs<M extends ApiMethod> = z.input<(typeof apiSchemas)[M]>;

export interface ApiResults {
  snapshot: Snapshot;
  /** complete=false: the server no longer holds events that old; take a new snapshot. */
  eventsSince: { readonly events: readonly StudioEvent[]; readonly complete: boolean };
  openProject: ProjectInfo;
  chooseProject: ProjectInfo | null;
  listFolders: { readonly dir: string; readonly folders: readonly string[] };
  createDemo: ProjectInfo;
  gitInit: ProjectInfo;
  closeProject: null;
  validateConfig: { readonly ok: boolean; readonly errors: readonly FieldError[] };
  saveConfig: SaveResult;
  testMetric: MetricTestResult;
  testSlot: SlotTestResult;
  listFiles: { readonly files: readonly FileEntry[] };
  readProgram: { readonly text: string; readonly exists: boolean; readonly editable: readonly string[] };
  saveProgram: null;
  startRun: { readonly tag: string };
  pauseRun: null;
  resumeRun: null;
  stopRun: null;
  steer: null;
  /** Where the answer went: the live run's inbox, or the stopped run's journal. */
  answerApproval: { readonly delivered: 'inbox' | 'journal' };
  readProposalFiles: { readonly files: readonly { readonly path: string; readonly content: string }[] };
  listRuns: readonly RunSummary[];
  /** experiments = the requested page; experimentsTotal = how many the run has. */
  getRun: RunDetail & { readonly experimentsOffset: number; readonly experimentsTotal: number };
  getDiff: DiffResult;
  logInfo: LogInfo;
  readLogLines: LogLines;
  /** The saved transcript JSON, or null when the experiment has none (mutation proposer, baseline). */
  getTranscript: unknown;
  /** The report file written under .autoresearch/reports/, and its content for a browser download. */
  exportReport: { readonly path: string; readonly fileName: string; readonly content: string };
  /** The rendered report (nothing is written to disk) and the file name to offer for download. */
  reportFromTsv: { readonly fileName: string; readonly content: string };
  finalizeRun: FinalizeResult;
  auditRun: AuditEvent;
  setApiKey: ApiKeyStatus;
  clearApiKey: ApiKeyStatus;
  listGpus: readonly GpuStat[];
}

/** What finalizeRun made: the new branch, its commits (oldest first), kept changes left out and why, the patch file. */
export interface FinalizeResult {
  readonly branch: string;
  readonly startCommit: string;
  readonly head: string;
  readonly commits: readonly { readonly id: number; readonly commit: string; readonly description: string; readonly before: number | null; readonly after: number | null }[];
  readonly leftOut: readonly { readonly id: number; readonly description: string; readonly reason: string }[];
  readonly patchFile: string;
}

/** The typed view every transport offers: window.api in Electron, the WebSocket client in a browser. */
export type Api = {
  readonly [M in ApiMethod]: (args: ApiArgs<M>) => Promise<ApiResults[M]>;
};

/** What a transport exposes to the renderer: the Api plus a subscription to pushes. */
export interface ApiClient {
  readonly api: Api;
  /** Returns an unsubscribe function. */
  onEvent(listener: (event: StudioEvent) => void): () => void;
  /** Transport health, for a "reconnecting…" banner. */
  onConnection?(listener: (connected: boolean) => void): () => void;
}

/** An error as it crosses a transport: a message a user can act on, and field errors when relevant. */
export interface ApiErrorPayload {
  readonly message: string;
  readonly code: 'invalid-args' | 'not-found' | 'conflict' | 'failed' | 'unauthorized';
  readonly fieldErrors?: readonly FieldError[];
}

export class ApiError extends Error {
  readonly code: ApiErrorPayload['code'];
  readonly fieldErrors: readonly FieldError[];
  constructor(payload: ApiErrorPayload) {
    super(payload.message);
    this.name = 'ApiError';
    this.code = payload.code;
    this.fieldErrors = payload.fieldErrors ?? [];
  }
  toPayload(): ApiErrorPayload {
    return { message: this.message, code: this.code, fieldErrors: this.fieldErrors };
  }
}

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
