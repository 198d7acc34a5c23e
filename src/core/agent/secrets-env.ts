// Keeping secrets out of everything the app writes. The API key must never reach a transcript, a log, the
// journal or an error message; an external agent's output may echo its environment. Values are redacted
// wherever they appear, whatever produced the text.

/** Variable names whose values are treated as secrets. */
const SECRET_NAME = /(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|AUTH)(?:_|$)/i;
/** Shorter values are too likely to occur by chance (e.g. "1", "true") to be redacted everywhere. */
const MIN_SECRET_LENGTH = 8;

export const REDACTED = '[redacted]';

/** The values of secret-looking variables of an environment, longest first. */
export function secretValuesOf(env: NodeJS.ProcessEnv, extra: readonly (string | null | undefined)[] = []): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value && value.length >= MIN_SECRET_LENGTH && SECRET_NAME.test(name)) values.add(value);
  }
  for (const value of extra) if (value && value.length >= MIN_SECRET_LENGTH) values.add(value);
  // Longest first, so a secret that contains another is replaced whole.
  return [...values].sort((a, b) => b.length - a.length);
}

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret && out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** A deep copy of JSON-like data with every string (keys included) redacted. */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactText(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v as Record<string, unknown>)) out[redactText(k, secrets)] = walk(inner);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/** An environment for an external agent CLI: everything the user has, plus the app's own variables. */
export function agentEnv(base: NodeJS.ProcessEnv, extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  // The agent CLI needs its own credentials (claude -p reads ANTHROPIC_API_KEY), so nothing is removed;
  // its output is redacted instead.
  return { ...base, ...extra };
}
