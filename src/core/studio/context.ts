// What every part of the studio shares, and the typed shape of a handler. The handler files take a
// StudioContext and return their slice of the Api; index.ts puts the slices together.
import type { Api, ApiMethod, StudioEventBody } from '../../shared/api.js';
import type { EventLog } from './event-log.js';
import type { GpuState } from './gpu-state.js';
import type { LiveRuns } from './live-run.js';
import type { ProjectSession } from './project-session.js';
import type { RunReader } from './run-reader.js';
import type { StartGuard } from './start-guard.js';
import type { StudioDeps } from './studio.js';

/**
 * A slice of the Api: each handler takes exactly the arguments its zod schema in shared/api.ts accepts (ApiArgs)
 * and answers ApiResults, so the assembled object is an Api without a cast. Typed as the schema's input, not its
 * output: the transports pass parsed arguments, but in-process callers (serve's startup, tests) call directly.
 */
export type Handlers<M extends ApiMethod> = Pick<Api, M>;

export interface StudioContext {
  readonly deps: StudioDeps;
  readonly env: NodeJS.ProcessEnv;
  readonly events: EventLog;
  readonly push: (body: StudioEventBody) => void;
  readonly session: ProjectSession;
  readonly runs: RunReader;
  readonly live: LiveRuns;
  readonly starts: StartGuard;
  readonly gpus: GpuState;
}
