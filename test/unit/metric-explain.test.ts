import { describe, expect, it } from 'vitest';
import { MetricSchema, type MetricConfig } from '../../src/shared/config.js';
import { explainMissingMetric, extractMetric, lastLines, testMetricOnText } from '../../src/core/metric/index.js';

const metric = (extract: unknown = { kind: 'line' }, name = 'val_bpb'): MetricConfig =>
  MetricSchema.parse({ name, direction: 'min', extract });

const explain = (m: MetricConfig, text: string) => explainMissingMetric(m, extractMetric(m, text), text);

describe('explainMissingMetric', () => {
  it('says what was looked for and shows the last lines, progress collapsed', () => {
    const out = 'Traceback (most recent call last):\n  File "train.py", line 3\nstep 1\rstep 2\rstep 3\nRuntimeError: CUDA out of memory\n';
    const msg = explain(metric(), out);
    expect(msg).toBe(
      'No line "val_bpb: <number>" in the output. The last lines were:\n' +
        'Traceback (most recent call last):\n  File "train.py", line 3\nstep 3\nRuntimeError: CUDA out of memory',
    );
  });

  it('names each extraction in its own words', () => {
    expect(explain(metric({ kind: 'metric-line' }), 'x')).toMatch(/^No "METRIC val_bpb=<number>" in the output\./);
    expect(explain(metric({ kind: 'regex', pattern: 'bpb ([0-9.]+)' }), 'x')).toMatch(/^No line matched the pattern \/bpb \(\[0-9\.\]\+\)\//);
    expect(explain(metric({ kind: 'json', file: 'r.json', key: 'a.b' }), '')).toBe('No number at key "a.b" in r.json.');
  });

  it('says when the command printed nothing', () => {
    expect(explain(metric(), '')).toBe('No line "val_bpb: <number>" in the output. The command printed nothing.');
  });

  it('calls NaN a crash and quotes the line', () => {
    const msg = explain(metric(), 'val_bpb: nan\nFAIL\n');
    expect(msg).toMatch(/^val_bpb is NaN \("val_bpb: nan"\): the run diverged or failed, so it counts as a crash\./);
    expect(msg).toMatch(/FAIL$/);
    expect(explain(metric(), 'val_bpb: -inf\n')).toMatch(/^val_bpb is infinite/);
  });

  it('points at the other line form, a case mismatch, or a line that mentions the name', () => {
    expect(explain(metric(), 'METRIC val_bpb=0.9\n')).toMatch(/set the extraction to "METRIC name=value"/);
    expect(explain(metric({ kind: 'metric-line' }), 'val_bpb: 0.9\n')).toMatch(/set the extraction to "name: value line"/);
    expect(explain(metric(), 'Val_BPB: 0.9\n')).toMatch(/has "Val_BPB"; metric names are case-sensitive/);
    expect(explain(metric(), 'final val_bpb: 0.9 (ema)\n')).toMatch(/A line mentions val_bpb but not in that form: "final val_bpb: 0\.9 \(ema\)"/);
    expect(explain(metric(), 'val_bpb_ema: 0.9\n')).not.toMatch(/mentions/);
  });

  it('uses the reader\'s detail when it has one', () => {
    const m = metric({ kind: 'json', file: 'r.json', key: 'k' });
    const msg = explainMissingMetric(m, { value: null, invalid: null, metrics: {}, matched: null, detail: 'The command did not write r.json.' }, 'done\n');
    expect(msg).toBe('The command did not write r.json. The last lines were:\ndone');
  });

  it('returns an empty string when there is a value', () => {
    expect(explain(metric(), 'val_bpb: 1\n')).toBe('');
  });

  it('keeps only the last 15 lines, each at most 300 characters', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i} ${'z'.repeat(i === 39 ? 1000 : 0)}`);
    const shown = lastLines(lines.join('\n'));
    expect(shown).toHaveLength(15);
    expect(shown[0]).toBe('line 25');
    expect(shown[14]!.length).toBe(300);
  });
});

describe('testMetricOnText', () => {
  it('returns the value, every metric and the matched line', () => {
    expect(testMetricOnText(metric(), 'val_bpb: 0.99\npeak_vram_mb: 100\n')).toEqual({
      value: 0.99,
      metrics: { val_bpb: 0.99, peak_vram_mb: 100 },
      matched: 'val_bpb: 0.99',
      error: null,
    });
  });

  it('fills the error when nothing is found', () => {
    const r = testMetricOnText(metric(), 'loss: 3\n');
    expect(r.value).toBeNull();
    expect(r.metrics).toEqual({ loss: 3 });
    expect(r.error).toMatch(/^No line "val_bpb: <number>" in the output\. The last lines were:\nloss: 3$/);
  });

  it('reads pasted file content for a JSON metric', () => {
    const m = metric({ kind: 'json', file: 'r.json', key: 'x' });
    expect(testMetricOnText(m, '{"x": 2}')).toMatchObject({ value: 2, matched: 'x in r.json', error: null });
    expect(testMetricOnText(m, 'val_bpb: 2').error).toMatch(/^The text is not valid JSON \(.*\)\. For a JSON-file metric, paste the content of r\.json, e\.g\. \{"x": 0\.99\}\.$/);
  });
});
