import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetricSchema } from '../../src/shared/config.js';
import { createMetricScanner, extractMetric } from '../../src/core/metric/index.js';
import { omissionMarker, tailBytesFor } from '../../src/core/exec/capped-log.js';
import { runCommand, type RunCommandOptions } from '../../src/core/exec/run-command.js';
import { createByteRing } from '../../src/core/exec/byte-ring.js';
import { collapseProgress, decodeCutUtf8 } from '../../src/core/exec/collapse-progress.js';
import { pythonTrainer } from '../helpers/processes.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ar-logcap-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const logFile = () => path.join(dir, 'run.log');
const run = (command: string, over: Partial<RunCommandOptions> = {}) =>
  runCommand({ command, cwd: dir, env: { ...process.env }, logFile: logFile(), logMaxBytes: 1000, timeoutMs: 120_000, graceMs: 2_000, ...over });

/** N bytes of a-z, so every position is recognisable. */
const letters = (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
const printLetters = (n: number) => `python3 -c "import sys; sys.stdout.write(''.join(chr(97 + i % 26) for i in range(${n})))"`;

describe('log cap', () => {
  it('keeps the whole output when it fits', async () => {
    for (const n of [900, 1000]) {
      const r = await run(printLetters(n));
      expect(r).toMatchObject({ exitCode: 0, outputBytes: n, droppedBytes: 0 });
      expect(await readFile(logFile(), 'utf8')).toBe(letters(n));
    }
  });

  it('keeps the head and the last quarter with a marker between when it does not', async () => {
    const r = await run(printLetters(2000));
    // cap 1000: head 750 bytes, tail 250 bytes, 1000 bytes omitted.
    expect(r).toMatchObject({ exitCode: 0, outputBytes: 2000, droppedBytes: 1000 });
    const all = letters(2000);
    expect(await readFile(logFile(), 'utf8')).toBe(all.slice(0, 750) + '\n[autoresearch: 1000 bytes of output omitted here]\n' + all.slice(1750));
  });

  it('survives 200 MB of output: log within the cap, head and summary intact, memory flat', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const cap = 8 * 1024 * 1024;
    const metric = MetricSchema.parse({ name: 'val_bpb', direction: 'min' });
    const scanner = createMetricScanner(metric);
    let chars = 0;
    gc();
    const base = process.memoryUsage();
    let peakRss = base.rss;
    let peakHeap = base.heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 25);
    const r = await run(pythonTrainer('flood.py'), {
      env: { ...process.env, FLOOD_MB: '200', VAL_BPB: '0.912345' },
      logMaxBytes: cap,
      // What the loop does with the stream: scan it for the metric and pass it on to the UI.
      onOutput: (text) => {
        chars += text.length;
        scanner.push(text);
      },
    });
    clearInterval(sampler);
    scanner.end();
    const rssGrowth = peakRss - base.rss;
    const heapGrowth = peakHeap - base.heapUsed;
    console.log(`200 MB flood: rss +${(rssGrowth / 1e6).toFixed(1)} MB, heap +${(heapGrowth / 1e6).toFixed(1)} MB, ${r.durationMs} ms`);

    expect(r.exitCode).toBe(0);
    expect(r.outputBytes).toBeGreaterThan(200 * 1024 * 1024);
    expect(chars).toBe(r.outputBytes);
    expect(scanner.scan().value).toBe(0.912345);
    const marker = omissionMarker(r.droppedBytes);
    expect(r.droppedBytes).toBe(r.outputBytes - cap);
    expect((await stat(logFile())).size).toBe(cap + Buffer.byteLength(marker));
    const log = await readFile(logFile(), 'utf8');
    expect(log.startsWith('flood: head\n-- block 000000 --\nline 00000000 ')).toBe(true);
    expect(log).toContain(marker);
    expect(log).toMatch(/\n---\nval_bpb: {10}0\.912345\npeak_vram_mb: {5}1234\.5\nnum_blocks: {7}200\n$/);
    expect(extractMetric(metric, log).value).toBe(0.912345);
    expect(r.tail).toMatch(/val_bpb: {10}0\.912345\n/);
    expect(Buffer.byteLength(r.tail)).toBeLessThanOrEqual(16 * 1024);
    expect(rssGrowth).toBeLessThan(60 * 1024 * 1024);
    expect(heapGrowth).toBeLessThan(60 * 1024 * 1024);
  });

  it('caps a log that is one endless line, and collapses \\r progress in the tail', async () => {
    const cap = 256 * 1024;
    const noline = await run(pythonTrainer('flood.py'), { env: { ...process.env, FLOOD_MB: '20', FLOOD_STYLE: 'noline' }, logMaxBytes: cap });
    expect(noline.exitCode).toBe(0);
    expect((await stat(logFile())).size).toBe(cap + Buffer.byteLength(omissionMarker(noline.droppedBytes)));
    expect(await readFile(logFile(), 'utf8')).toMatch(/^flood: head\nxxxx[\s\S]*\nval_bpb: {10}0\.997900\n/);

    const progress = await run(pythonTrainer('flood.py'), { env: { ...process.env, FLOOD_MB: '3', FLOOD_STYLE: 'progress' }, logMaxBytes: cap });
    expect(progress.tail).not.toContain('\r');
    expect(progress.tail.split('\n').length).toBeLessThan(10);
    // The last progress version (cut where the filler ends), then the summary.
    expect(progress.tail).toMatch(/^step \d{8} \|[^\n]*\n---\nval_bpb: {10}0\.997900\n/);
  });
});

describe('log cap helpers', () => {
  it('keeps a quarter of the cap, at most 4 MiB, as the tail', () => {
    expect(tailBytesFor(1000)).toBe(250);
    expect(tailBytesFor(50 * 1024 * 1024)).toBe(4 * 1024 * 1024);
  });

  it('the byte ring keeps the last bytes in order across wraps and oversized chunks', () => {
    const ring = createByteRing(10);
    ring.push(Buffer.from('abc'));
    expect(ring.contents().toString()).toBe('abc');
    ring.push(Buffer.from('defghij'));
    expect(ring.contents().toString()).toBe('abcdefghij');
    ring.push(Buffer.from('klm'));
    expect(ring.contents().toString()).toBe('defghijklm');
    ring.push(Buffer.from('0123456789ABCDEF'));
    expect(ring.contents().toString()).toBe('6789ABCDEF');
    ring.push(Buffer.from('xy'));
    expect(ring.contents().toString()).toBe('89ABCDEFxy');
    expect(ring.total()).toBe(3 + 7 + 3 + 16 + 2);
    let all = '';
    const small = createByteRing(7);
    for (let i = 0; i < 100; i++) {
      const piece = letters(i % 5).toUpperCase() + String(i);
      all += piece;
      small.push(Buffer.from(piece));
      expect(small.contents().toString()).toBe(all.slice(-7));
    }
  });

  it('collapses progress rewritten with \\r and drops a cut UTF-8 character', () => {
    expect(collapseProgress('a\rb\rc\nline\nstep 1\rstep 2\r\nend')).toBe('c\nline\nstep 2\nend');
    const bytes = Buffer.from('é日x');
    expect(decodeCutUtf8(bytes.subarray(1))).toBe('日x');
    expect(decodeCutUtf8(bytes.subarray(2))).toBe('日x');
    expect(decodeCutUtf8(bytes.subarray(3))).toBe('x');
    expect(decodeCutUtf8(bytes.subarray(4))).toBe('x');
  });
});
