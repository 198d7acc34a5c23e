// The `json` extraction: the command writes a JSON file and the metric is the number at a dotted key.
import path from 'node:path';
import type { MetricConfig } from '../../shared/config.js';
import { RESERVED_METRIC_NAMES } from '../../shared/metric-name.js';
import { LinkRefusedError, openNoFollow } from '../util/safe-fs.js';
import { parseMetricNumber } from './parse-number.js';
import { MAX_METRIC_NAMES, type MetricScan } from './scanner.js';

export type JsonMetricConfig = MetricConfig & { extract: { kind: 'json' } };

/** A results file is small; anything larger is a mistake (a checkpoint, a dataset) and is not read. */
export const MAX_JSON_BYTES = 32 * 1024 * 1024;

const NAN = '\u0000nan';
const POS_INF = '\u0000inf';
const NEG_INF = '\u0000-inf';

/** JSON.parse that also takes NaN, Infinity and -Infinity, which Python's json.dump writes by default. */
export function parseJsonLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (first) {
    const patched = text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (tok) =>
      tok === 'NaN' ? JSON.stringify(NAN) : tok === 'Infinity' ? JSON.stringify(POS_INF) : tok === '-Infinity' ? JSON.stringify(NEG_INF) : tok,
    );
    if (patched === text) throw first;
    return JSON.parse(patched);
  }
}

/** Follows a dotted key; a literal key that contains dots ("val.bpb") is found too, and array indices work. */
export function lookupKey(root: unknown, key: string): { found: true; value: unknown } | { found: false } {
  const walk = (node: unknown, segments: readonly string[]): { found: true; value: unknown } | { found: false } => {
    if (segments.length === 0) return { found: true, value: node };
    if (node === null || typeof node !== 'object') return { found: false };
    for (let take = segments.length; take >= 1; take--) {
      const k = segments.slice(0, take).join('.');
      if (Object.prototype.hasOwnProperty.call(node, k)) {
        const hit = walk((node as Record<string, unknown>)[k], segments.slice(take));
        if (hit.found) return hit;
      }
    }
    return { found: false };
  };
  return walk(root, key.split('.'));
}

function numberOf(v: unknown): ReturnType<typeof parseMetricNumber> {
  if (typeof v === 'number') return Number.isFinite(v) ? { kind: 'finite', value: v } : Number.isNaN(v) ? { kind: 'nan' } : { kind: 'inf' };
  if (v === NAN) return { kind: 'nan' };
  if (v === POS_INF || v === NEG_INF) return { kind: 'inf' };
  if (typeof v === 'string') return parseMetricNumber(v);
  return null;
}

/** Every finite number in the document by dotted path (a, a.b, list.0), at most MAX_METRIC_NAMES. */
function flattenNumbers(root: unknown): Record<string, number> {
  const out = new Map<string, number>();
  const visit = (node: unknown, prefix: string, depth: number) => {
    if (out.size >= MAX_METRIC_NAMES || depth > 8) return;
    if (typeof node === 'number' && Number.isFinite(node) && prefix) {
      out.set(prefix, node);
      return;
    }
    if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (RESERVED_METRIC_NAMES.has(k)) continue;
        visit(v, prefix ? `${prefix}.${k}` : k, depth + 1);
      }
    }
  };
  visit(root, '', 0);
  return Object.fromEntries(out);
}

const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `the ${typeof v} ${JSON.stringify(v).slice(0, 60)}`);

/** The JSON extraction over text already read (a file's content, or text pasted into the setup form). */
export function scanJsonText(metric: JsonMetricConfig, text: string, opts: { readonly pasted?: boolean } = {}): MetricScan {
  const { file, key } = metric.extract;
  let root: unknown;
  try {
    root = parseJsonLenient(text);
  } catch (err) {
    const why = (err as Error).message;
    return missing(
      opts.pasted
        ? `The text is not valid JSON (${why}). For a JSON-file metric, paste the content of ${file}, e.g. {"${key}": 0.99}.`
        : `${file} is not valid JSON (${why}). The command must write a JSON object such as {"${key}": 0.99}.`,
    );
  }
  const metrics = flattenNumbers(root);
  const hit = lookupKey(root, key);
  if (!hit.found) {
    const keys = root !== null && typeof root === 'object' ? Object.keys(root).slice(0, 12) : [];
    const have = keys.length ? ` Its top-level keys are: ${keys.join(', ')}.` : '';
    return { ...missing(`${file} has no key "${key}".${have} Set the key to the dotted path of the number, e.g. metrics.val_bpb.`), metrics };
  }
  const n = numberOf(hit.value);
  if (!n) {
    return { ...missing(`The key "${key}" in ${file} holds ${describe(hit.value)}, not a number.`), metrics };
  }
  const matched = `${key} in ${file}`;
  if (n.kind === 'ambiguous') return { ...missing(`The key "${key}" in ${file} holds ${n.reason}`), metrics };
  if (n.kind !== 'finite') return { value: null, invalid: n.kind, metrics, matched, detail: null };
  return { value: n.value, invalid: null, metrics: { ...metrics, [metric.name]: n.value }, matched, detail: null };
}

function missing(detail: string): MetricScan {
  return { value: null, invalid: null, metrics: {}, matched: null, detail };
}

/** Coarse file systems keep modification times in whole (or even two) seconds. */
const MTIME_SLACK_MS = 2_000;

export interface ReadJsonMetricOptions {
  /**
   * Epoch ms when the experiment started. A file last modified before then is left over from an earlier
   * experiment (this one crashed before writing it) and must not count as this experiment's result.
   */
  readonly writtenAfter?: number;
}

/** Reads the metric from the JSON file the command wrote (path relative to `cwd`). Never throws. */
export async function readJsonMetric(metric: JsonMetricConfig, cwd: string, opts: ReadJsonMetricOptions = {}): Promise<MetricScan> {
  const { file } = metric.extract;
  const abs = path.resolve(cwd, file);
  // The trainer writes this file, so it may plant a link there instead (metrics.json -> ~/.ssh/id_rsa): it is
  // opened without following links, in folders that are not links, so nothing else is read into the journal.
  let handle;
  try {
    handle = await openNoFollow(abs, 'r', { root: cwd });
  } catch (err) {
    if (err instanceof LinkRefusedError) {
      return missing(
        err.kind === 'not-a-file'
          ? `${file} is not a file. The command must write the metric to a JSON file at that path (relative to the project).`
          : `${err.message.replace(/ — remove it and try again\.$/, '')}: the metric is not read through it. Make the command write ${file} as a plain file.`,
      );
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') return missing(`${file} is not a file. The command must write the metric to a JSON file at that path (relative to the project).`);
    if (code === 'ENOENT') return missing(`The command did not write ${file} (looked for ${abs}). Make it write the metric there, e.g. {"${metric.extract.key}": 0.99}.`);
    return missing(`Could not read ${file}: ${(err as Error).message}`);
  }
  try {
    const info = await handle.stat();
    if (opts.writtenAfter !== undefined && info.mtimeMs < opts.writtenAfter - MTIME_SLACK_MS) {
      return missing(`${file} was not written by this experiment (it was last changed ${new Date(info.mtimeMs).toISOString()}, before the experiment started), so it is not used. Make the command write it on every run.`);
    }
    if (info.size > MAX_JSON_BYTES) return missing(`${file} is ${info.size} bytes, too large for a results file; write only the metrics to it.`);
    return scanJsonText(metric, await handle.readFile('utf8'));
  } catch (err) {
    return missing(`Could not read ${file}: ${(err as Error).message}`);
  } finally {
    await handle.close().catch(() => undefined);
  }
}
