// What an error from the Messages API means for the run: wait and retry (rate limit, overload, server or
// network trouble), stop the run (bad key, no permission, unknown model), or reject this one proposal
// (a request the API will never accept, such as a prompt that is too long). Messages never carry the key.
import { APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { redactText } from '../secrets-env.js';

export type ApiFailure =
  | { readonly kind: 'retry'; readonly message: string; readonly retryAfterMs: number | null }
  | { readonly kind: 'fatal'; readonly message: string }
  | { readonly kind: 'reject'; readonly message: string }
  | { readonly kind: 'aborted' };

/** The stream went quiet for too long (no event, not even a ping). */
export class StreamIdleError extends Error {
  constructor(seconds: number) {
    super(`the API sent nothing for ${seconds} s`);
    this.name = 'StreamIdleError';
  }
}

/** Longest wait a server may ask for that we still take literally (a day); beyond is a bogus header. */
const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

/** `retry-after-ms` (milliseconds), else `retry-after` (seconds or an HTTP date). */
export function retryAfterMsOf(headers: Headers | undefined | null, now: () => number = Date.now): number | null {
  if (!headers || typeof headers.get !== 'function') return null;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const v = Number(ms);
    if (Number.isFinite(v) && v >= 0 && v <= MAX_RETRY_AFTER_MS) return Math.round(v);
  }
  const after = headers.get('retry-after');
  if (after !== null && after.trim() !== '') {
    const seconds = Number(after);
    if (Number.isFinite(seconds)) return seconds >= 0 && seconds * 1000 <= MAX_RETRY_AFTER_MS ? Math.round(seconds * 1000) : null;
    const date = Date.parse(after);
    if (Number.isFinite(date)) return Math.min(Math.max(0, date - now()), MAX_RETRY_AFTER_MS);
  }
  return null;
}

const RETRYABLE_TYPES = new Set(['rate_limit_error', 'overloaded_error', 'api_error', 'timeout_error', 'gateway_timeout_error']);
const FATAL_TYPES = new Set(['authentication_error', 'permission_error', 'billing_error', 'not_found_error']);

function apiErrorText(err: APIError): string {
  const body = err.error as { error?: { type?: string; message?: string } } | undefined;
  const type = err.type ?? body?.error?.type ?? null;
  const detail = err.apiMessage ?? body?.error?.message ?? null;
  const head = [err.status, type].filter((x) => x !== undefined && x !== null).join(' ');
  const text = detail ?? err.message;
  return head ? `${head}: ${text}` : text;
}

function causeText(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const msg = (e as Error).message;
    const code = (e as NodeJS.ErrnoException).code;
    if (msg && !parts.includes(msg)) parts.push(code && !msg.includes(code) ? `${msg} (${code})` : msg);
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join(': ') || String(err);
}

/** Classify an error thrown while talking to the API. `secrets` are removed from every message. */
export function classifyApiError(err: unknown, secrets: readonly string[], opts: { aborted: boolean; baseUrl: string }): ApiFailure {
  const clean = (s: string) => redactText(s, secrets);
  if (opts.aborted || err instanceof APIUserAbortError) return { kind: 'aborted' };
  if (err instanceof StreamIdleError) return { kind: 'retry', message: clean(`${err.message}; the connection was dropped`), retryAfterMs: null };
  if (err instanceof APIConnectionError) {
    return { kind: 'retry', message: clean(`could not reach the Anthropic API at ${opts.baseUrl} (${causeText(err)})`), retryAfterMs: null };
  }
  if (err instanceof APIError) {
    const text = clean(apiErrorText(err));
    const status = err.status as number | undefined;
    const type = err.type ?? (err.error as { error?: { type?: string } } | undefined)?.error?.type ?? null;
    const retryAfterMs = retryAfterMsOf(err.headers as Headers | undefined);
    if (status === 401 || type === 'authentication_error') {
      return {
        kind: 'fatal',
        message: `The Anthropic API rejected the API key (${text}). Set a valid key: ANTHROPIC_API_KEY for the command line, or the API key in the app's settings.`,
      };
    }
    if (status === 403 || type === 'permission_error') {
      return { kind: 'fatal', message: `The API key may not use this model or feature (${text}). Check the key's workspace and permissions, or choose another model.` };
    }
    if (status === 402 || type === 'billing_error') {
      return { kind: 'fatal', message: `The Anthropic account cannot pay for more requests (${text}). Check billing in the Anthropic console, then resume the run.` };
    }
    if (status === 404 || type === 'not_found_error') {
      return { kind: 'fatal', message: `The API does not know this model or endpoint (${text}). Check agent.model and the base URL (${opts.baseUrl}).` };
    }
    if (status === 408 || status === 409 || status === 429 || (status !== undefined && status >= 500)) {
      return { kind: 'retry', message: text, retryAfterMs };
    }
    if (status === undefined) {
      // An error event inside a stream: the status is in the body's type.
      if (type && FATAL_TYPES.has(type)) return { kind: 'fatal', message: text };
      if (!type || RETRYABLE_TYPES.has(type)) return { kind: 'retry', message: text, retryAfterMs };
    }
    return { kind: 'reject', message: `The API refused the request (${text})` };
  }
  // Anything else on the wire (a connection cut mid-stream, a truncated event) is a network fault.
  return { kind: 'retry', message: clean(`the connection to ${opts.baseUrl} failed (${causeText(err)})`), retryAfterMs: null };
}
