import { describe, expect, it } from 'vitest';
import { MetricSchema, type MetricConfig } from '../../src/shared/config.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createMetricScanner, extractMetric, MAX_METRIC_NAMES } from '../../src/core/metric/index.js';

/** A real garbage collection, so a memory assertion measures what is retained, not what is garbage. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const metric = (extract: unknown = { kind: 'line' }, name = 'val_bpb'): MetricConfig =>
  MetricSchema.parse({ name, direction: 'min', extract });

// The block autoresearch's train.py prints at the end (REFERENCE.md, H100 baseline).
const SUMMARY = [
  '---',
  'val_bpb:          0.997900',
  'training_seconds: 300.1',
  'total_seconds:    325.9',
  'peak_vram_mb:     45060.2',
  'mfu_percent:      39.80',
  'total_tokens_M:   499.6',
  'num_steps:        953',
  'num_params_M:     50.3',
  'depth:            8',
  '',
].join('\n');

function progress(steps: number): string {
  let out = '';
  for (let s = 0; s <= steps; s++) {
    const pct = ((s / steps) * 100).toFixed(1);
    out += `\rstep ${String(s).padStart(5, '0')} (${pct}%) | loss: ${(3 + 1 / (s + 1)).toFixed(6)} | lrm: 1.00 | dt: 312ms | tok/sec: 1,680,000 | mfu: 39.8% | epoch: 1 | remaining: ${steps - s}s    `;
  }
  return out + '\n';
}

const AUTORESEARCH_OUTPUT = `Compiling model...\n${progress(953)}Evaluating...\n${SUMMARY}`;

describe('line extraction (name: value)', () => {
  it('reads the real autoresearch summary block after many \\r progress lines', () => {
    const scan = extractMetric(metric(), AUTORESEARCH_OUTPUT);
    expect(scan.value).toBe(0.9979);
    expect(scan.invalid).toBeNull();
    expect(scan.matched).toBe('val_bpb:          0.997900');
    expect(scan.metrics).toEqual({
      val_bpb: 0.9979,
      training_seconds: 300.1,
      total_seconds: 325.9,
      peak_vram_mb: 45060.2,
      mfu_percent: 39.8,
      total_tokens_M: 499.6,
      num_steps: 953,
      num_params_M: 50.3,
      depth: 8,
    });
  });

  it('never takes a number from the progress line, whose "loss: x" is only part of the line', () => {
    const scan = extractMetric(metric({ kind: 'line' }, 'loss'), progress(20));
    expect(scan.value).toBeNull();
    expect(scan.metrics).toEqual({});
  });

  it('matches the name exactly', () => {
    expect(extractMetric(metric(), 'val_bpb_ema: 0.5\nVAL_BPB: 0.4\n').value).toBeNull();
    expect(extractMetric(metric(), '   val_bpb:0.5   \n').value).toBe(0.5);
  });

  it('lets the last occurrence win', () => {
    const scan = extractMetric(metric(), 'val_bpb: 1.5\nval_bpb: 1.25\nother: 3\nval_bpb: 1.125\n');
    expect(scan.value).toBe(1.125);
    expect(scan.matched).toBe('val_bpb: 1.125');
  });

  it('reads ints, floats, exponents and signs', () => {
    const cases: Array<[string, number]> = [
      ['7', 7],
      ['-2.5', -2.5],
      ['+.5', 0.5],
      ['3.', 3],
      ['1e-3', 0.001],
      ['6.02E+23', 6.02e23],
    ];
    for (const [text, want] of cases) expect(extractMetric(metric(), `val_bpb: ${text}\n`).value).toBe(want);
  });

  it('reports NaN and inf in any case as invalid, with no value', () => {
    for (const [text, invalid] of [
      ['nan', 'nan'],
      ['NaN', 'nan'],
      ['-nan', 'nan'],
      ['inf', 'inf'],
      ['-inf', 'inf'],
      ['Infinity', 'inf'],
      ['1e999', 'inf'],
    ] as const) {
      const scan = extractMetric(metric(), `val_bpb: ${text}\nFAIL\n`);
      expect(scan, text).toMatchObject({ value: null, invalid, matched: `val_bpb: ${text}` });
      expect(scan.metrics).toEqual({});
    }
  });

  it('treats a later finite value as the answer after a NaN, and a later NaN as the answer after a value', () => {
    expect(extractMetric(metric(), 'val_bpb: nan\nval_bpb: 0.9\n')).toMatchObject({ value: 0.9, invalid: null });
    expect(extractMetric(metric(), 'val_bpb: 0.9\nval_bpb: nan\n')).toMatchObject({ value: null, invalid: 'nan' });
  });

  it('finds a last line that has no newline, and a line ended by \\r', () => {
    expect(extractMetric(metric(), 'x\nval_bpb: 0.75').value).toBe(0.75);
    expect(extractMetric(metric(), 'val_bpb: 0.5\rnoise\r').value).toBe(0.5);
    expect(extractMetric(metric(), 'val_bpb: 0.5\r\n').value).toBe(0.5);
  });

  it('returns nothing for a missing metric', () => {
    const scan = extractMetric(metric(), 'hello\nworld\n');
    expect(scan).toEqual({ value: null, invalid: null, metrics: {}, matched: null });
  });

  it('keeps at most 200 metric names, the primary always included', () => {
    let text = '';
    for (let i = 0; i < 500; i++) text += `m${i}: ${i}\n`;
    text += 'val_bpb: 0.5\n';
    const scan = extractMetric(metric(), text);
    expect(scan.value).toBe(0.5);
    expect(Object.keys(scan.metrics).length).toBeLessThanOrEqual(MAX_METRIC_NAMES + 1);
    expect(scan.metrics.m0).toBe(0);
    expect(scan.metrics.m499).toBeUndefined();
    expect(scan.metrics.val_bpb).toBe(0.5);
  });

  it('cuts the matched line to 300 characters', () => {
    const scan = extractMetric(metric({ kind: 'regex', pattern: 'v=([0-9.]+)' }), `v=1.5 ${'x'.repeat(1000)}\n`);
    expect(scan.value).toBe(1.5);
    expect(scan.matched!.length).toBe(300);
  });
});

describe('metric-line extraction (METRIC name=value)', () => {
  it('reads several pairs on one line and collects all of them', () => {
    const scan = extractMetric(metric({ kind: 'metric-line' }, 'time_ms'), 'warming up\nMETRIC time_ms=12.5 allocs=3e3 label=fast\n');
    expect(scan.value).toBe(12.5);
    expect(scan.metrics).toEqual({ time_ms: 12.5, allocs: 3000 });
    expect(scan.matched).toBe('METRIC time_ms=12.5 allocs=3e3 label=fast');
  });

  it('lets the last pair win, ignores lines not starting with METRIC, and flags NaN', () => {
    const m = metric({ kind: 'metric-line' }, 'score');
    expect(extractMetric(m, 'METRIC score=1\nMETRIC score=2\nnot METRIC score=3\n').value).toBe(2);
    expect(extractMetric(m, 'METRIC score=NaN\n')).toMatchObject({ value: null, invalid: 'nan' });
    // A `name: value` line is not a METRIC line, but still recorded as a secondary metric.
    const other = extractMetric(m, 'score: 5\n');
    expect(other.value).toBeNull();
    expect(other.metrics).toEqual({ score: 5 });
  });

  it('records METRIC pairs as secondary metrics under the line extraction too', () => {
    const scan = extractMetric(metric(), 'METRIC peak_vram_mb=100\nval_bpb: 1\n');
    expect(scan.metrics).toEqual({ peak_vram_mb: 100, val_bpb: 1 });
  });
});

describe('regex extraction', () => {
  it('parses the capture group of each line, last match wins', () => {
    const m = metric({ kind: 'regex', pattern: 'acc=([^ ]+)%' }, 'acc');
    const scan = extractMetric(m, 'epoch 1 acc=50.5% loss=1\nepoch 2 acc=61.25% loss=0.8\nepoch 3 acc=??% \n');
    expect(scan.value).toBe(61.25);
    expect(scan.matched).toBe('epoch 2 acc=61.25% loss=0.8');
  });

  it('flags a captured nan as invalid', () => {
    const m = metric({ kind: 'regex', pattern: 'loss ([a-z0-9.]+)' }, 'loss');
    expect(extractMetric(m, 'loss 0.5\nloss nan\n')).toMatchObject({ value: null, invalid: 'nan' });
  });
});

describe('streaming', () => {
  it('gives the same result when the output arrives one character at a time', () => {
    const text = `${AUTORESEARCH_OUTPUT}METRIC extra=4.5e1 z=1\n`;
    const whole = extractMetric(metric(), text);
    const scanner = createMetricScanner(metric());
    for (const ch of text) scanner.push(ch);
    scanner.end();
    expect(scanner.scan()).toEqual(whole);
    expect(whole.metrics.extra).toBe(45);
  });

  it('splits chunks in the middle of a line and of a number at every position', () => {
    const text = 'noise\nval_bpb:   0.123456e-1\nmore: 2\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const scanner = createMetricScanner(metric());
      scanner.push(text.slice(0, cut));
      // Mid-stream the half-printed number must not be taken as the value.
      if (cut < text.indexOf('\nmore')) expect(scanner.scan().value).toBeNull();
      scanner.push(text.slice(cut));
      scanner.end();
      expect(scanner.scan().value, `cut at ${cut}`).toBeCloseTo(0.0123456, 10);
    }
  });

  it('reads the value of an unterminated last line only at end()', () => {
    const scanner = createMetricScanner(metric());
    scanner.push('val_bpb: 0.9');
    expect(scanner.scan().value).toBeNull();
    scanner.end();
    expect(scanner.scan().value).toBe(0.9);
    expect(() => scanner.push('more')).toThrow(/ended/);
  });

  it('skips a 10 MB line without newline without holding it, and still reads the next line', () => {
    const gc = exposeGc();
    const scanner = createMetricScanner(metric());
    gc();
    const before = process.memoryUsage().heapUsed;
    // Distinct chunks: repeating one string would let V8 share it and hide a leak.
    for (let i = 0; i < 160; i++) scanner.push(String.fromCharCode(97 + (i % 26)).repeat(64 * 1024 - 1) + String(i % 10));
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    scanner.push('val_bpb: 1.0\nval_bpb: 0.5\n');
    scanner.end();
    // Holding the 10 MB line would retain 10 MB; the scanner keeps at most 64 KiB of a line.
    expect(retained).toBeLessThan(3 * 1024 * 1024);
    // The first "val_bpb: 1.0" was glued to the end of the huge line, so only the second counts.
    expect(scanner.scan().value).toBe(0.5);
  });

  it('does not take a metric from an over-long line even when it ends like one', () => {
    const scan = extractMetric(metric({ kind: 'regex', pattern: 'v=([0-9.]+)$' }), `${'y'.repeat(100_000)} v=1\nv=2\n`);
    expect(scan.value).toBe(2);
  });

  it('handles binary garbage without crashing or inventing numbers', () => {
    const garbage = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256)).toString('utf8');
    const scan = extractMetric(metric(), `${garbage}\nval_bpb: 0.25\n${garbage}`);
    expect(scan.value).toBe(0.25);
  });
});
