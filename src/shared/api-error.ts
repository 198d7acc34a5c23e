// An error as it crosses a transport (Electron IPC, the WebSocket): a code and a message a user can act on.
import type { FieldError } from './config.js';

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
