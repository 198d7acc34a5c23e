// The contract between the engine and any UI: requests (Api) and pushes (StudioEvent).
// Transport-agnostic and JSON-safe: the same calls travel over Electron IPC (src/main + src/preload)
// and over a WebSocket (`autoresearch serve`). Every request's arguments have a zod schema
// (api-schemas.ts) so main and the WebSocket server validate what the (untrusted) renderer sends.
// The data types, the schemas and the error live beside this file, one file per concern; they are
// re-exported here so that every importer keeps reading the contract from this one module.
import type { FieldError } from './config.js';
import type { Experiment } from './experiment.js';
import type { AuditEvent } from './journal.js';
import type { Ablation, AblationProgress } from './ablation.js';
import type { ApiArgs, ApiMethod } from './api-schemas.js';
import type { ApiKeyStatus, AppInfo, CurveTestResult, FileEntry, GpuStat, MetricTestResult, ProjectInfo, SaveResult, SlotTestResult, WebhookStatus } from './api-project.js';
import type { SeedDetection } from './seed-words.js';
import type { TrustReport } from './api-trust.js';
import type { DiffResult, FinalizeResult, LiveRun, LogInfo, LogLines, RunDetail, RunSummary } from './api-runs.js';

export * from './api-error.js';
export * from './api-project.js';
export * from './api-runs.js';
export * from './api-schemas.js';
export * from './seed-words.js';
export * from './api-trust.js';

/** Everything a UI shows at once, read when it connects; pushes keep it current from `seq` on. */
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
  | { readonly type: 'recent'; readonly recentProjects: readonly string[] }
  /** A running ablation's progress (after each run); progress null when it ended (finished, failed or cancelled). */
  | { readonly type: 'ablation'; readonly project: string; readonly tag: string; readonly progress: AblationProgress | null };

export type StudioEvent = StudioEventBody & { readonly seq: number };

// ---------------------------------------------------------------------------------------------
// Requests' answers. The schemas (api-schemas.ts) are the validation at the trust boundary; the Api type
// below is the typed view.

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
  testCurve: CurveTestResult;
  testSlot: SlotTestResult;
  listFiles: { readonly files: readonly FileEntry[] };
  detectSeed: SeedDetection;
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
  /** The run's HTML report as Export would write it (secrets redacted); nothing is written. */
  previewReport: { readonly content: string };
  /** The rendered report (nothing is written to disk) and the file name to offer for download. */
  reportFromTsv: { readonly fileName: string; readonly content: string };
  finalizeRun: FinalizeResult;
  auditRun: AuditEvent;
  ablateRun: Ablation;
  /** Whether an ablation of that run was running (and is now stopping). */
  cancelAblation: { readonly cancelled: boolean };
  getAblation: Ablation | null;
  projectTrust: TrustReport;
  trustProject: TrustReport;
  setApiKey: ApiKeyStatus;
  clearApiKey: ApiKeyStatus;
  listGpus: readonly GpuStat[];
  getWebhook: WebhookStatus;
  setWebhook: WebhookStatus;
  /** delivered=false: message says why (the receiver's answer, or that it could not be reached). */
  testWebhook: { readonly delivered: boolean; readonly message: string };
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
