// The one redactor: secret values the app holds (its environment's keys and tokens, the key kept in the
// keychain) are replaced by `[redacted NAME]` in everything the app writes down or shows: the journal,
// results.tsv, logs, transcripts, diffs, reports. A trainer or an agent that prints its environment, or a
// change that pastes the key into train.py, leaves the name of the secret, never its value.

/** Names whose values are secrets: *_KEY, *_TOKEN, *SECRET*, *PASSWORD*, credentials and auth. */
const SECRET_NAME = /(?:^|_)(?:API_?KEY|KEY|TOKEN|PASSWD|CREDENTIALS?|AUTH)(?:_|$)|SECRET|PASSWORD/i;
/** Shorter values occur by chance ("1", "true") and would be replaced everywhere. */
export const MIN_SECRET_LENGTH = 8;

export interface Secret {
  readonly name: string;
  readonly value: string;
}

/** Secrets the app holds outside its environment (the key from the keychain), by name. */
const registered = new Map<string, string>();

/** The app got a secret from elsewhere than its environment (the keychain): redact it too from now on. */
export function registerSecret(name: string, value: string | null | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) registered.set(name, value);
}

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The secrets of `env` (default: this process's) and the registered ones, longest value first. */
export function currentSecrets(env: NodeJS.ProcessEnv = process.env): Secret[] {
  const byValue = new Map<string, string>();
  for (const [name, value] of registered) byValue.set(value, name);
  for (const [name, value] of Object.entries(env)) {
    if (value && value.length >= MIN_SECRET_LENGTH && isSecretName(name) && !byValue.has(value)) byValue.set(value, name);
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...byValue].map(([value, name]) => ({ name, value })).sort((a, b) => b.value.length - a.value.length);
}

export const redactionOf = (name: string) => `[redacted ${name}]`;

/** The text with every secret value replaced by its name. */
export function redact(text: string, secrets: readonly Secret[] = currentSecrets()): string {
  let out = text;
  for (const s of secrets) if (out.includes(s.value)) out = out.split(s.value).join(redactionOf(s.name));
  return out;
}

/** The names of the secrets whose values occur in the text (none: an empty list). */
export function secretsIn(text: string, secrets: readonly Secret[] = currentSecrets()): string[] {
  return secrets.filter((s) => text.includes(s.value)).map((s) => s.name);
}

/** A deep copy of JSON-like data with every string (keys too) redacted; the same object when nothing is secret. */
export function redactDeep<T>(value: T, secrets: readonly Secret[] = currentSecrets()): T {
  if (secrets.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v as Record<string, unknown>)) out[redact(k, secrets)] = walk(inner);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/** A journal event as it may be written: redacted only when its JSON holds a secret (the common case is free). */
export function redactEvent<T>(event: T, secrets: readonly Secret[] = currentSecrets()): T {
  if (secrets.length === 0) return event;
  const json = JSON.stringify(event);
  // A value with quotes or backslashes appears escaped in JSON: look for it as it appears there.
  const hit = secrets.some((s) => json.includes(s.value) || json.includes(JSON.stringify(s.value).slice(1, -1)));
  return hit ? redactDeep(event, secrets) : event;
}

export interface StreamRedactor {
  /** The chunk redacted, less the tail that could be the start of a secret (held for the next chunk). */
  push(chunk: Buffer): Buffer;
  /** What is held back, at the end of the stream. */
  end(): Buffer;
}

function replaceAll(buf: Buffer, needle: Buffer, by: Buffer): Buffer {
  let at = buf.indexOf(needle);
  if (at < 0) return buf;
  const parts: Buffer[] = [];
  let from = 0;
  while (at >= 0) {
    parts.push(buf.subarray(from, at), by);
    from = at + needle.length;
    at = buf.indexOf(needle, from);
  }
  parts.push(buf.subarray(from));
  return Buffer.concat(parts);
}

/**
 * Redaction of a byte stream (a log) whose chunks may split a secret: only the longest tail that is the start
 * of some secret is held back, so a progress line that cannot begin a secret is written at once.
 */
export function createStreamRedactor(secrets: readonly Secret[] = currentSecrets()): StreamRedactor {
  const needles = secrets.map((s) => ({ value: Buffer.from(s.value), by: Buffer.from(redactionOf(s.name)) }));
  let held: Buffer = Buffer.alloc(0);
  const heldTail = (buf: Buffer): number => {
    let best = 0;
    for (const { value } of needles) {
      for (let k = Math.min(value.length - 1, buf.length); k > best; k--) {
        if (buf[buf.length - k] === value[0] && buf.subarray(buf.length - k).equals(value.subarray(0, k))) {
          best = k;
          break;
        }
      }
    }
    return best;
  };
  return {
    push(chunk) {
      if (needles.length === 0) return chunk;
      let buf = held.length ? Buffer.concat([held, chunk]) : chunk;
      for (const { value, by } of needles) buf = replaceAll(buf, value, by);
      const keep = heldTail(buf);
      // A copy: the caller may reuse the chunk's memory once push returns.
      held = Buffer.from(buf.subarray(buf.length - keep));
      return buf.subarray(0, buf.length - keep);
    },
    end() {
      const rest = held;
      held = Buffer.alloc(0);
      return rest;
    },
  };
}
