// createStudio: the Api implemented over the engine. One instance per app (Electron main, or
// `autoresearch serve`); it owns the open project, the live run, the GPU poller and the event log.
// This file only puts the parts together; each part has one job:
//   project-session.ts  the open project and the recent ones
//   run-reader.ts       the project's runs, read from their journals and cached
//   live-run.ts         the run this process owns or follows (event-relay.ts turns its events into pushes)
//   gpu-state.ts        GPU telemetry
//   handlers/*.ts       the Api, one file per area, each handler typed from its schema in shared/api.ts
import type { Api } from '../../shared/api.js';
import type { StudioContext } from './context.js';
import { createEventLog } from './event-log.js';
import { createGpuState } from './gpu-state.js';
import { ablationHandlers } from './handlers/ablation.js';
import { machineHandlers } from './handlers/machine.js';
import { programHandlers } from './handlers/program.js';
import { projectHandlers } from './handlers/project.js';
import { reportHandlers } from './handlers/reports.js';
import { webhookHandlers } from './handlers/webhook.js';
import { trustHandlers } from './handlers/trust.js';
import { runControlHandlers } from './handlers/run-control.js';
import { runsHandlers } from './handlers/runs.js';
import { seedHandlers } from './handlers/seed.js';
import { setupHandlers } from './handlers/setup.js';
import { createLiveRuns } from './live-run.js';
import { createProjectSession } from './project-session.js';
import { readRecent } from './recent-projects.js';
import { createRunReader } from './run-reader.js';
import { createStartGuard } from './start-guard.js';
import type { Studio, StudioDeps } from './studio.js';

export type { Studio, StudioDeps, SecretStore, SleepInhibitor } from './studio.js';
export { createEnvSecretStore } from './env-secrets.js';

export async function createStudio(deps: StudioDeps): Promise<Studio> {
  const env = deps.env ?? process.env;
  const events = createEventLog();
  const push: StudioContext['push'] = (body) => void events.push(body);
  // The parts need each other in a circle (the session lists runs, the reader asks the live run for its record,
  // the live run drops cached journals and pushes the run list): each is reached through a closure called only
  // after all of them exist.
  const session = createProjectSession({ dataDir: deps.dataDir, recent: await readRecent(deps.dataDir), push, listRuns: () => runs.listRuns() });
  const live = createLiveRuns({
    deps,
    env,
    push,
    projectDir: () => session.current()?.dir ?? null,
    forget: (dir, tag) => runs.forget(dir, tag),
    pushRuns: () => session.pushRuns(),
  });
  const runs = createRunReader({ projectDir: () => session.current()?.dir ?? null, requireDir: () => session.require().dir, live });
  const gpus = createGpuState({ env, push, config: () => session.current()?.config });
  const ctx: StudioContext = { deps, env, events, push, session, runs, live, starts: createStartGuard(), gpus };

  const api: Api = {
    ...machineHandlers(ctx),
    ...projectHandlers(ctx),
    ...setupHandlers(ctx),
    ...seedHandlers(ctx),
    ...programHandlers(ctx),
    ...runControlHandlers(ctx),
    ...runsHandlers(ctx),
    ...reportHandlers(ctx),
    ...ablationHandlers(ctx),
    ...webhookHandlers(ctx),
    ...trustHandlers(ctx),
  };

  return {
    api,
    onEvent: (listener) => events.subscribe(listener),
    isRunning: () => live.isRunning(),
    async dispose() {
      gpus.stop();
      await live.dispose();
    },
  };
}
