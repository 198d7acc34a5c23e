// The engine behind the Api: one object that both transports bind to (Electron IPC in src/main, the
// WebSocket server of `autoresearch serve`). It owns the state, the open project and the live run;
// transports only validate, forward calls, and relay events.
import type { Api, AppInfo, StudioEvent } from '../../shared/api.js';

/** Side effects the host provides. Electron passes the real ones; serve and tests pass plain ones. */
export interface StudioDeps {
  readonly app: AppInfo;
  /** Where the app may write its own files (recent projects, demo copies). */
  readonly dataDir: string;
  /**
   * Where projects' trust records are kept (core/project/trust.ts), when not in dataDir: the desktop shares the
   * CLI's data folder, so `autoresearch trust` and the app's trust panel are one approval (and the demo that
   * `npm start` copies with `autoresearch demo` opens trusted).
   */
  readonly trustDataDir?: string;
  /** The app's root folder (resources/demo lives under it). */
  readonly appRoot: string;
  /** Stores the Anthropic API key; Electron uses safeStorage, serve uses the environment only. */
  readonly secrets: SecretStore;
  /** Keeps the machine awake while experiments run (Electron powerSaveBlocker); no-op elsewhere. */
  readonly sleepInhibitor?: SleepInhibitor;
  /** Desktop notifications (new best, run stopped); no-op elsewhere. */
  readonly notify?: (title: string, body: string) => void;
  /** Environment for runs (ANTHROPIC_BASE_URL, PATH for nvidia-smi). Defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Path of a Node runtime for run commands (AUTORESEARCH_NODE); Electron passes its own binary. */
  readonly nodePath?: string;
  /** Extra environment to run `nodePath` as plain Node (ELECTRON_RUN_AS_NODE=1 under Electron). */
  readonly nodeEnv?: Readonly<Record<string, string>>;
  /** The native folder picker (Electron's dialog); null when cancelled. Absent under serve. */
  readonly chooseFolder?: () => Promise<string | null>;
}

export interface SecretStore {
  getApiKey(): Promise<string | null>;
  setApiKey(key: string): Promise<void>;
  clearApiKey(): Promise<void>;
  /** e.g. "No keyring found: the key is stored with weak protection." */
  warning(): Promise<string | null>;
  /** True when the key was given by the environment (ANTHROPIC_API_KEY), which the app cannot clear. */
  readonly fromEnv?: boolean;
  /** Where the key in use comes from; when absent, 'store' if a key is set and fromEnv is false. */
  keySource?(): Promise<'store' | 'env' | null>;
}

export interface SleepInhibitor {
  acquire(): void;
  release(): void;
}

export interface Studio {
  readonly api: Api;
  onEvent(listener: (event: StudioEvent) => void): () => void;
  /** Is a run live (for "quit during a run?" prompts). */
  isRunning(): boolean;
  /** Stop any live run (marks experiments interrupted) and release resources. */
  dispose(): Promise<void>;
}
