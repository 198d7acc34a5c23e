// Finding the keys of a config that its schema does not know (a misspelt key would silently become a
// default), each with the nearest known key as a suggestion. Read from the schema itself, so every key the
// schema gains is known here without a second list.
import type { z } from 'zod';
import type { FieldError } from './config.js';

/** Keys of `raw` that `schema` does not know, with a suggestion or the reason a retired key is refused. */
export function unknownKeysOf(schema: z.ZodType, raw: unknown): FieldError[] {
  const out: FieldError[] = [];
  walkKeys(schema, raw, [], out);
  return out;
}

/** Settings a project's config may no longer hold, with why and what to do instead. */
const RETIRED_KEYS: Readonly<Record<string, string>> = {
  'agent.baseUrl':
    'agent.baseUrl is no longer read from a project\'s config: a config from someone else could send your API key anywhere. Remove it, and set ANTHROPIC_BASE_URL in the app\'s environment instead (https, or http to localhost).',
};

interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly in?: z.ZodType;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

function walkKeys(schema: z.ZodType, value: unknown, at: readonly string[], out: FieldError[]): void {
  if (value === null || value === undefined) return;
  const def = defOf(schema);
  switch (def.type) {
    case 'default':
    case 'prefault':
    case 'nullable':
    case 'optional':
    case 'readonly':
      return walkKeys(def.innerType!, value, at, out);
    case 'pipe':
      return walkKeys(def.in!, value, at, out);
    case 'array':
      if (Array.isArray(value)) value.forEach((v, i) => walkKeys(def.element!, v, [...at, String(i)], out));
      return;
    case 'record':
      if (typeof value === 'object' && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value)) walkKeys(def.valueType!, v, [...at, k], out);
      }
      return;
    case 'union': {
      // A discriminated union (metric.extract): check against the option its discriminator picks.
      if (!def.discriminator || typeof value !== 'object') return;
      const tag = (value as Record<string, unknown>)[def.discriminator];
      const option = def.options?.find((o) => {
        const field = defOf(o).shape?.[def.discriminator!];
        return field !== undefined && (defOf(field) as SchemaDef & { values?: unknown[] }).values?.includes(tag);
      });
      if (option) walkKeys(option, value, at, out);
      return;
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return;
      const shape = def.shape ?? {};
      for (const [k, v] of Object.entries(value)) {
        const field = shape[k];
        if (field) {
          walkKeys(field, v, [...at, k], out);
          continue;
        }
        const path = [...at, k].join('.');
        const retired = RETIRED_KEYS[path];
        if (retired) {
          out.push({ path, message: retired });
          continue;
        }
        const near = nearestKey(k, Object.keys(shape));
        const where = at.length ? `${at.join('.')}` : 'the config';
        out.push({
          path,
          message: `Unknown setting "${path}"${near ? ` — did you mean "${[...at, near].join('.')}"?` : ''} Known in ${where}: ${Object.keys(shape).join(', ')}. Remove or rename it; a misspelt setting would silently fall back to its default.`,
        });
      }
      return;
    }
    default:
      return;
  }
}

/** The known key closest to `key` (edit distance, case-insensitive), if it is close enough to be a typo. */
function nearestKey(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  if (best === null) return null;
  if (bestDistance <= Math.max(2, Math.floor(key.length / 3))) return best;
  // An abbreviation (secs → seconds, cmd → command): the key's letters in order, same first letter.
  const abbreviated = known.find((k) => key.length >= 3 && k[0]?.toLowerCase() === key[0]?.toLowerCase() && isSubsequence(key.toLowerCase(), k.toLowerCase()));
  return abbreviated ?? null;
}

function isSubsequence(short: string, long: string): boolean {
  let i = 0;
  for (const c of long) if (c === short[i]) i += 1;
  return i === short.length;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
