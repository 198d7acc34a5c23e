// The metric reader's naming and number rules, with inputs written the way peers' protocols print them:
// pi-autoresearch's `METRIC name=value` lines (units in the name: total_µs) and karpathy/autoresearch's
// train.py (summary block, `tok/sec: 1,680,000` progress numbers grouped with Python's `{:,}`).
import { describe, expect, it } from 'vitest';
import { extractMetric, parseMetricNumber, scanJsonText } from '../../src/core/metric/index.js';
import { explainMissingMetric } from '../../src/core/metric/explain.js';
import { isMetricName } from '../../src/shared/metric-name.js';
import { MetricSchema, parseConfig, type MetricConfig } from '../../src/shared/config.js';

const metric = (name: string, extract: unknown = { kind: 'metric-line' }): MetricConfig => MetricSchema.parse({ name, direction: 'min', extract });

// What a pi-autoresearch benchmark script prints (units live in the name).
const PI_OUTPUT = ['running 3 iterations', 'METRIC total_µs=15200', 'METRIC compile_µs=4200 render.µs=1.25e3 bundle_kb=812.5', 'done', ''].join('\n');

describe('METRIC pairs are matched whole', () => {
  it('records render.µs under its full name, never a metric "s" read from its tail', () => {
    const scan = extractMetric(metric('render.µs'), PI_OUTPUT);
    expect(scan.value).toBe(1250);
    expect(scan.metrics).toEqual({ 'total_µs': 15200, 'compile_µs': 4200, 'render.µs': 1250, bundle_kb: 812.5 });
    expect(Object.hasOwn(scan.metrics, 's')).toBe(false);
  });

  it('reads the primary when it is pi-autoresearch total_µs', () => {
    expect(extractMetric(metric('total_µs'), PI_OUTPUT).value).toBe(15200);
  });

  it('takes letters of any script and skips a token that is not a whole name=value pair', () => {
    const scan = extractMetric(metric('時間'), 'METRIC 時間=3.5 Durchsatz_größe=7 weird#name=4 =5 a=b x=1=2\n');
    expect(scan.value).toBe(3.5);
    expect(scan.metrics).toEqual({ '時間': 3.5, 'Durchsatz_größe': 7 });
  });

  it('still accepts a trailing comma or semicolon after a value', () => {
    expect(extractMetric(metric('a'), 'METRIC a=1, b=2;\n').metrics).toEqual({ a: 1, b: 2 });
  });
});

describe('names', () => {
  it('allows letters in any script, digits, _ . - / and µ; refuses spaces, = and a leading digit', () => {
    for (const ok of ['val_bpb', 'total_µs', 'render.µs', 'tok/sec', 'val-loss', '_x', '時間', 'µs']) expect(isMetricName(ok), ok).toBe(true);
    for (const bad of ['', '1x', 'a b', 'a=b', '.x', '-x', 'a#b']) expect(isMetricName(bad), bad).toBe(false);
  });

  it('never lets __proto__, constructor or prototype be a metric name, in any reader', () => {
    const text = '__proto__: 5\nconstructor: 6\nprototype: 7\nMETRIC __proto__=1 constructor=2 ok=3\nval_bpb: 1.0\n';
    const scan = extractMetric(metric('val_bpb', { kind: 'line' }), text);
    expect(scan.metrics).toEqual({ ok: 3, val_bpb: 1 });
    expect(Object.getPrototypeOf(scan.metrics)).toBe(Object.prototype);
    const json = scanJsonText(metric('loss', { kind: 'json', file: 'r.json', key: 'loss' }) as never, '{"__proto__": {"x": 1}, "constructor": 2, "loss": 0.5, "nested": {"prototype": 3, "ok": 4}}');
    expect(json.value).toBe(0.5);
    expect(json.metrics).toEqual({ loss: 0.5, 'nested.ok': 4 });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('refuses a reserved name in the config with a message that says so', () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      expect(MetricSchema.safeParse({ name, direction: 'min' }).success).toBe(false);
    }
    const r = parseConfig({ run: { command: 'x' }, files: { editable: ['x'] }, budget: { seconds: 1 }, metric: { name: 'm', direction: 'min', secondary: ['constructor'] } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toContainEqual({ path: 'metric.secondary.0', message: 'constructor is a reserved word and cannot name a metric; choose another name' });
    expect(MetricSchema.parse({ name: 'total_µs', direction: 'min', secondary: ['render.µs'], memoryMb: 'rss_mb' }).name).toBe('total_µs');
  });

  it('explains a missing metric without mistaking an inherited key for a printed one', () => {
    const m = metric('constructorx', { kind: 'line' });
    expect(explainMissingMetric(m, extractMetric(m, 'nothing\n'), 'nothing\n')).toMatch(/No line "constructorx: <number>"/);
  });
});

describe('thousands separators', () => {
  it('reads grouped numbers in a name: value line, as train.py prints tok/sec', () => {
    const scan = extractMetric(metric('tok/sec', { kind: 'line' }), 'tok/sec: 1,600,000\nnum_params: 50_300_000\nval_bpb: 0.9979\n');
    expect(scan.value).toBe(1_600_000);
    expect(scan.metrics).toMatchObject({ 'tok/sec': 1_600_000, num_params: 50_300_000, val_bpb: 0.9979 });
  });

  it('reads grouped numbers captured by a regex, from the real train.py progress line', () => {
    const line = '\rstep 00953 (100.0%) | loss: 3.001049 | lrm: 1.00 | dt: 312ms | tok/sec: 1,680,000 | mfu: 39.8% | epoch: 1 | remaining: 0s    \n';
    const scan = extractMetric(metric('tok_sec', { kind: 'regex', pattern: String.raw`tok/sec: ([\d,]+)` }), line);
    expect(scan.value).toBe(1_680_000);
    // The progress line is not a whole `name: value` line, so nothing else is recorded from it.
    expect(scan.metrics).toEqual({ tok_sec: 1_680_000 });
  });

  it('reads a grouped number with a decimal point', () => {
    expect(parseMetricNumber('12,345.25', { grouping: true })).toEqual({ kind: 'finite', value: 12345.25 });
    expect(parseMetricNumber('-1,600,000', { grouping: true })).toEqual({ kind: 'finite', value: -1_600_000 });
  });

  it('refuses an ambiguous separator with a clear error instead of misreading it', () => {
    for (const t of ['1,600', '1,5', '1.600.000', '1.600,5', '12,34,567', '1,6000']) {
      expect(parseMetricNumber(t, { grouping: true })?.kind, t).toBe('ambiguous');
    }
    const m = metric('throughput', { kind: 'line' });
    const scan = extractMetric(m, 'throughput: 1,600\n');
    expect(scan.value).toBeNull();
    expect(scan.invalid).toBeNull();
    const error = explainMissingMetric(m, scan, 'throughput: 1,600\n');
    expect(error).toMatch(/^throughput was printed as "1,600" could be read more than one way .*without separators \(e\.g\. 1600\)/);
  });

  it('does not take separators in METRIC pairs, where a comma ends the value', () => {
    expect(extractMetric(metric('a'), 'METRIC a=1,600,000\n').value).toBeNull();
    expect(parseMetricNumber('1,600,000')).toBeNull();
  });

  it('a later clean value replaces an earlier ambiguous one, and the other way round', () => {
    const m = metric('x', { kind: 'line' });
    expect(extractMetric(m, 'x: 1,600\nx: 1600\n').value).toBe(1600);
    expect(extractMetric(m, 'x: 1600\nx: 1,600\n').value).toBeNull();
  });
});

describe('karpathy/autoresearch summary block', () => {
  it('records every line of the block under its own name', () => {
    const block = ['---', 'val_bpb:          0.997900', 'training_seconds: 300.1', 'total_seconds:    325.9', 'peak_vram_mb:     45060.2', 'mfu_percent:      39.80', 'total_tokens_M:   499.6', 'num_steps:        953', 'num_params_M:     50.3', 'depth:            8', ''].join('\n');
    const scan = extractMetric(metric('val_bpb', { kind: 'line' }), block);
    expect(scan.value).toBe(0.9979);
    expect(Object.keys(scan.metrics).sort()).toEqual(['depth', 'mfu_percent', 'num_params_M', 'num_steps', 'peak_vram_mb', 'total_seconds', 'total_tokens_M', 'training_seconds', 'val_bpb']);
  });
});

describe('json files', () => {
  it('reads neither a separator-grouped string nor a decimal comma as a number in a JSON file', () => {
    const scan = scanJsonText(metric('loss', { kind: 'json', file: 'r.json', key: 'loss' }) as never, '{"loss": "1,5"}');
    expect(scan.value).toBeNull();
    expect(scan.detail).toMatch(/holds the string "1,5", not a number/);
  });
});
