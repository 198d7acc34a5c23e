// This machine's side of the app: the snapshot a page starts from, the pushes it missed, the Anthropic key,
// the GPUs.
import type { ApiKeyStatus } from '../../../shared/api.js';
import { apiBaseUrl } from '../../agent/claude/base-url.js';
import { sandboxMode, sandboxWarning } from '../../exec/sandbox.js';
import type { Handlers, StudioContext } from '../context.js';

async function apiKeyStatus({ deps, env }: StudioContext): Promise<ApiKeyStatus> {
  const key = await deps.secrets.getApiKey();
  const source = deps.secrets.keySource ? await deps.secrets.keySource() : key ? (deps.secrets.fromEnv ? 'env' : 'store') : null;
  let endpoint: ApiKeyStatus['endpoint'];
  try {
    endpoint = { host: apiBaseUrl(env.ANTHROPIC_BASE_URL).host, error: null };
  } catch (err) {
    endpoint = { host: null, error: (err as Error).message };
  }
  return { set: Boolean(key), source: key ? source : null, warning: await deps.secrets.warning(), endpoint };
}

export function machineHandlers(ctx: StudioContext): Handlers<'snapshot' | 'eventsSince' | 'setApiKey' | 'clearApiKey' | 'listGpus'> {
  const { deps, events, session, live } = ctx;
  const pushKeyStatus = async () => {
    const status = await apiKeyStatus(ctx);
    ctx.push({ type: 'apiKey', apiKey: status });
    return status;
  };
  return {
    snapshot: async () => ({
      seq: events.seq,
      app: deps.app,
      project: session.current(),
      runs: await ctx.runs.listRuns(),
      live: live.live(session.current()?.dir ?? null),
      gpus: ctx.gpus.current(),
      recentProjects: session.recent(),
      apiKey: await apiKeyStatus(ctx),
      sandboxWarning: sandboxWarning((await sandboxMode(ctx.env)).mode),
    }),
    eventsSince: async ({ seq }) => events.since(seq),
    setApiKey: async ({ key }) => {
      await deps.secrets.setApiKey(key);
      return pushKeyStatus();
    },
    clearApiKey: async () => {
      await deps.secrets.clearApiKey();
      return pushKeyStatus();
    },
    listGpus: async () => ctx.gpus.query(),
  };
}
