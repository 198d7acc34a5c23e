// The Api's data about the app and the open project: what the setup, start and status views show.
import type { FieldError, ProjectConfig, ProjectConfigInput } from './config.js';

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

/** The app's webhook (notify/settings.ts): whether one is set and its host; the URL's path is its secret. */
export interface WebhookStatus {
  readonly set: boolean;
  /** "https://hooks.slack.com/…" */
  readonly where: string | null;
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

/** Setup's "Test the pattern" of early stopping: the points its intermediate-metric pattern reads from some output. */
export interface CurveTestResult {
  /** Up to 200 points, x ascending (the curve as a run would record it). */
  readonly points: readonly (readonly [x: number, value: number])[];
  /** How many lines matched (points read before the curve was thinned). */
  readonly matchedLines: number;
  /** 'step' with two groups; 'seconds' with one (x is then the time since the run started, which a log does not keep). */
  readonly axis: 'step' | 'seconds' | null;
  /** Why nothing was read, in words the user can act on. */
  readonly error: string | null;
}

export type SaveResult =
  | { readonly ok: true; readonly project: ProjectInfo }
  | { readonly ok: false; readonly errors: readonly FieldError[] };
