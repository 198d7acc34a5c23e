// How errors of the Messages API are classified, using the SDK's own error classes.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { classifyApiError, retryAfterMsOf, StreamIdleError } from '../../src/core/agent/claude/api-errors.js';

const opts = { aborted: false, baseUrl: 'http://127.0.0.1:9' };
const KEY = 'sk-ant-secret-key-1234567890';

function statusError(status: number, type: string, message: string, headers: Record<string, string> = {}): APIError {
  return APIError.generate(status, { type: 'error', error: { type, message } }, undefined, new Headers(headers));
}

describe('retry-after', () => {
  it('reads retry-after-ms first, then retry-after in seconds or as a date', () => {
    expect(retryAfterMsOf(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(retryAfterMsOf(new Headers({ 'retry-after': '9' }))).toBe(9000);
    expect(retryAfterMsOf(new Headers({ 'retry-after': '0.5' }))).toBe(500);
    const now = Date.parse('2026-03-08T21:00:00Z');
    expect(retryAfterMsOf(new Headers({ 'retry-after': 'Sun, 08 Mar 2026 21:00:30 GMT' }), () => now)).toBe(30_000);
    expect(retryAfterMsOf(new Headers({ 'retry-after': 'Sun, 08 Mar 2026 20:00:00 GMT' }), () => now)).toBe(0);
  });

  it('ignores missing, garbage and absurd values', () => {
    expect(retryAfterMsOf(undefined)).toBeNull();
    expect(retryAfterMsOf(new Headers())).toBeNull();
    expect(retryAfterMsOf(new Headers({ 'retry-after': 'soon' }))).toBeNull();
    expect(retryAfterMsOf(new Headers({ 'retry-after': '-5' }))).toBeNull();
    expect(retryAfterMsOf(new Headers({ 'retry-after': String(10 * 24 * 3600) }))).toBeNull();
  });
});

describe('classification', () => {
  it.each([
    [429, 'rate_limit_error'],
    [529, 'overloaded_error'],
    [500, 'api_error'],
    [502, 'api_error'],
    [503, 'api_error'],
    [504, 'timeout_error'],
    [408, 'timeout_error'],
    [409, 'conflict_error'],
  ])('%i %s is retried', (status, type) => {
    const f = classifyApiError(statusError(status, type, 'try later', { 'retry-after': '3' }), [], opts);
    expect(f).toEqual({ kind: 'retry', message: `${status} ${type}: try later`, retryAfterMs: 3000 });
  });

  it.each([
    [401, 'authentication_error', /rejected the API key/],
    [403, 'permission_error', /may not use this model/],
    [402, 'billing_error', /cannot pay/],
    [404, 'not_found_error', /does not know this model/],
  ])('%i %s stops the run', (status, type, message) => {
    const f = classifyApiError(statusError(status, type, 'nope'), [], opts);
    expect(f.kind).toBe('fatal');
    expect((f as { message: string }).message).toMatch(message);
  });

  it.each([
    [400, 'invalid_request_error'],
    [413, 'request_too_large'],
    [422, 'invalid_request_error'],
  ])('%i %s rejects only this proposal', (status, type) => {
    const f = classifyApiError(statusError(status, type, 'prompt is too long'), [], opts);
    expect(f).toEqual({ kind: 'reject', message: `The API refused the request (${status} ${type}: prompt is too long)` });
  });

  it('an error event inside a stream is classified by its type', () => {
    const overloaded = new APIError(undefined, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, undefined, new Headers(), 'overloaded_error');
    expect(classifyApiError(overloaded, [], opts).kind).toBe('retry');
    const auth = new APIError(undefined, { type: 'error', error: { type: 'authentication_error', message: 'bad' } }, undefined, new Headers(), 'authentication_error');
    expect(classifyApiError(auth, [], opts).kind).toBe('fatal');
    const invalid = new APIError(undefined, { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } }, undefined, new Headers(), 'invalid_request_error');
    expect(classifyApiError(invalid, [], opts).kind).toBe('reject');
  });

  it('network errors are retried and name the address', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const f = classifyApiError(new APIConnectionError({ cause: refused }), [], opts);
    expect(f.kind).toBe('retry');
    expect((f as { message: string }).message).toMatch(/could not reach the Anthropic API at http:\/\/127\.0\.0\.1:9 .*ECONNREFUSED/);
    expect(classifyApiError(new APIConnectionTimeoutError(), [], opts).kind).toBe('retry');
    expect(classifyApiError(new TypeError('terminated'), [], opts).kind).toBe('retry');
    expect(classifyApiError(new StreamIdleError(180), [], opts)).toMatchObject({ kind: 'retry', message: expect.stringMatching(/nothing for 180 s/) });
  });

  it('an abort is an abort, whatever the error says', () => {
    expect(classifyApiError(new APIUserAbortError(), [], opts)).toEqual({ kind: 'aborted' });
    expect(classifyApiError(statusError(500, 'api_error', 'x'), [], { ...opts, aborted: true })).toEqual({ kind: 'aborted' });
  });

  it('never lets the key into a message', () => {
    for (const err of [
      statusError(401, 'authentication_error', `invalid key ${KEY}`),
      statusError(500, 'api_error', `upstream said ${KEY}`),
      statusError(400, 'invalid_request_error', `header x-api-key: ${KEY}`),
      new APIConnectionError({ cause: new Error(`proxy refused Bearer ${KEY}`) }),
      new Error(`weird ${KEY}`),
    ]) {
      const f = classifyApiError(err, [KEY], opts);
      expect(JSON.stringify(f)).not.toContain(KEY);
      expect(JSON.stringify(f)).toContain('[redacted]');
    }
  });
});
