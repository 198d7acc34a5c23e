import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetricSchema } from '../../src/shared/config.js';
import { readJsonMetric, type JsonMetricConfig } from '../../src/core/metric/index.js';
import { lookupKey, parseJsonLenient } from '../../src/core/metric/json-metric.js';

const metric = (file: string, key: string, name = 'score'): JsonMetricConfig =>
  MetricSchema.parse({ name, direction: 'max', extract: { kind: 'json', file, key } }) as JsonMetricConfig;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ar-metric-json-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readJsonMetric', () => {
  it('reads a number at a dotted key, relative to cwd, and records every number', async () => {
    await mkdir(path.join(dir, 'out'));
    await writeFile(path.join(dir, 'out/results.json'), JSON.stringify({ eval: { acc: 0.875, n: 1000 }, tag: 'x', losses: [1.5, 2] }));
    const scan = await readJsonMetric(metric('out/results.json', 'eval.acc'), dir);
    expect(scan.value).toBe(0.875);
    expect(scan.invalid).toBeNull();
    expect(scan.matched).toBe('eval.acc in out/results.json');
    expect(scan.metrics).toEqual({ 'eval.acc': 0.875, 'eval.n': 1000, 'losses.0': 1.5, 'losses.1': 2, score: 0.875 });
  });

  it('finds a key that itself contains a dot, and array indices', async () => {
    await writeFile(path.join(dir, 'r.json'), JSON.stringify({ 'val.bpb': 0.5, runs: [{ t: 3 }, { t: 4 }] }));
    expect((await readJsonMetric(metric('r.json', 'val.bpb'), dir)).value).toBe(0.5);
    expect((await readJsonMetric(metric('r.json', 'runs.1.t'), dir)).value).toBe(4);
  });

  it('takes a numeric string, and the NaN / Infinity that Python json.dump writes', async () => {
    await writeFile(path.join(dir, 'r.json'), '{"a": "1.25", "b": NaN, "c": -Infinity, "d": "NaN in a string"}');
    expect((await readJsonMetric(metric('r.json', 'a'), dir)).value).toBe(1.25);
    expect(await readJsonMetric(metric('r.json', 'b'), dir)).toMatchObject({ value: null, invalid: 'nan' });
    expect(await readJsonMetric(metric('r.json', 'c'), dir)).toMatchObject({ value: null, invalid: 'inf' });
    const d = await readJsonMetric(metric('r.json', 'd'), dir);
    expect(d).toMatchObject({ value: null, invalid: null });
    expect(d.detail).toMatch(/holds the string "NaN in a string", not a number/);
  });

  it('explains a missing file, a missing key, a non-number and broken JSON', async () => {
    const absent = await readJsonMetric(metric('nope.json', 'a'), dir);
    expect(absent).toMatchObject({ value: null, invalid: null, matched: null });
    expect(absent.detail).toMatch(/did not write nope\.json/);

    await writeFile(path.join(dir, 'r.json'), JSON.stringify({ loss: 1, acc: { top1: 0.5 } }));
    const noKey = await readJsonMetric(metric('r.json', 'acc.top5'), dir);
    expect(noKey.value).toBeNull();
    expect(noKey.detail).toMatch(/no key "acc\.top5".*top-level keys are: loss, acc/);
    expect(noKey.metrics).toEqual({ loss: 1, 'acc.top1': 0.5 });

    const obj = await readJsonMetric(metric('r.json', 'acc'), dir);
    expect(obj.detail).toMatch(/holds an object, not a number/);

    await writeFile(path.join(dir, 'bad.json'), '{"a": 1,');
    const bad = await readJsonMetric(metric('bad.json', 'a'), dir);
    expect(bad.value).toBeNull();
    expect(bad.detail).toMatch(/bad\.json is not valid JSON/);

    await mkdir(path.join(dir, 'adir.json'));
    expect((await readJsonMetric(metric('adir.json', 'a'), dir)).detail).toMatch(/is not a file/);
  });
});

describe('readJsonMetric with writtenAfter', () => {
  it('refuses a file left over from an earlier experiment, and takes one written during this one', async () => {
    const file = path.join(dir, 'r.json');
    await writeFile(file, JSON.stringify({ a: 0.5 }));
    // The experiment "started" 5 s ago: a write now is after it even where file times lag the clock a little.
    const startedAt = Date.now() - 5_000;
    const old = new Date(startedAt - 60_000);
    await utimes(file, old, old);
    const stale = await readJsonMetric(metric('r.json', 'a'), dir, { writtenAfter: startedAt });
    expect(stale).toMatchObject({ value: null, invalid: null });
    expect(stale.detail).toMatch(/r\.json was not written by this experiment .*Make the command write it on every run\./);
    await writeFile(file, JSON.stringify({ a: 0.25 }));
    expect((await readJsonMetric(metric('r.json', 'a'), dir, { writtenAfter: startedAt })).value).toBe(0.25);
  });
});

describe('JSON helpers', () => {
  it('leaves NaN inside strings alone when patching Python output', () => {
    expect(parseJsonLenient('{"s": "NaN \\" Infinity", "v": NaN}')).toEqual({ s: 'NaN " Infinity', v: '\u0000nan' });
    expect(() => parseJsonLenient('{nope')).toThrow();
  });

  it('walks through arrays and does not find keys of the prototype', () => {
    expect(lookupKey({ a: [{ b: 1 }] }, 'a.0.b')).toEqual({ found: true, value: 1 });
    expect(lookupKey({ a: 1 }, 'toString')).toEqual({ found: false });
    expect(lookupKey({ a: 1 }, 'a.b')).toEqual({ found: false });
  });
});
