// The one way a transport runs a call from the (untrusted) renderer: check the method name, validate the
// args with the method's schema, call the Api, and turn any outcome into data. Shared by the Electron IPC
// handler (src/main) and the WebSocket server (src/cli/serve) so both behave the same.
import { ApiError, isApiMethod, parseApiArgs, type Api, type ApiErrorPayload } from './api.js';

export type CallOutcome = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: ApiErrorPayload };

/** ApiErrors keep their code and field errors; anything else becomes 'failed' with its message, never a stack. */
export function toErrorPayload(err: unknown): ApiErrorPayload {
  if (err instanceof ApiError) {
    const p = err.toPayload();
    return p.fieldErrors && p.fieldErrors.length ? p : { code: p.code, message: p.message };
  }
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  return { code: 'failed', message: message || 'Something went wrong' };
}

/** Never throws: every outcome is an envelope. */
export async function dispatchApiCall(api: Api, method: unknown, args: unknown): Promise<CallOutcome> {
  try {
    if (!isApiMethod(method)) {
      throw new ApiError({ code: 'invalid-args', message: `Unknown method ${JSON.stringify(method)}` });
    }
    const parsed = parseApiArgs(method, args);
    const fn = api[method] as (a: unknown) => Promise<unknown>;
    const result = await fn(parsed);
    // undefined is not JSON; the contract's "nothing" is null.
    return { ok: true, result: result === undefined ? null : result };
  } catch (err) {
    return { ok: false, error: toErrorPayload(err) };
  }
}
