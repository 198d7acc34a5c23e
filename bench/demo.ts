// bench/demo: the first hour's promise, measured. A fresh copy of the bundled demo, then
// `autoresearch run --max-experiments 6` through the CLI bundle, sandbox as configured (on unless
// AUTORESEARCH_SANDBOX=off), with BUSY busy loops beside it (default 2: the demo must not depend on the load).
// It prints when the baseline's result appeared, the total time, each experiment with its confidence label,
// and whether the promise held: a baseline measured identically by every run, at least one keep beyond the noise.
// Run: npm run build first, then node bench/run.mjs demo [dir=out/bench/demo-<time>] [busy=2]
// (not under /tmp: the sandbox gives the trainer a private one).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRunRecord } from '../src/core/journal/read.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'bin', 'autoresearch.mjs');
const dir = path.resolve(process.argv[2] ?? path.join(root, 'out', 'bench', `demo-${Date.now()}`));
const busy = Number(process.argv[3] ?? 2);
if (!Number.isInteger(busy) || busy < 0) throw new Error(`busy must be a whole number of busy loops, e.g. 2 (got "${process.argv[3]}")`);
if (existsSync(dir)) throw new Error(`${dir} exists: name a new folder for the demo copy.`);

const loops: ChildProcess[] = [];
for (let i = 0; i < busy; i++) loops.push(spawn('/bin/sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));

/** Runs the CLI; calls onLine with each stdout line and the seconds since `t0`. */
function cliRun(args: string[], t0: number, onLine: (line: string, at: number) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let rest = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      const lines = (rest + d).split('\n');
      rest = lines.pop()!;
      for (const l of lines) onLine(l, (performance.now() - t0) / 1000);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

try {
  const t0 = performance.now();
  // Set from the output callback (an object, so TypeScript does not narrow it to its initial null).
  const seen: { baselineAt: number | null } = { baselineAt: null };
  const show = (line: string, at: number) => {
    if (seen.baselineAt === null && /^\s+#0\s/.test(line)) seen.baselineAt = at;
    console.log(`${at.toFixed(1).padStart(6)} s  ${line}`);
  };
  if ((await cliRun(['demo', dir], t0, () => {})) !== 0) throw new Error('autoresearch demo failed');
  const code = await cliRun(['run', dir, '--max-experiments', '6'], t0, show);
  const total = (performance.now() - t0) / 1000;
  // A fresh copy holds this one run, under the tag the CLI chose.
  const rec = await readRunRecord(dir, readdirSync(path.join(dir, '.autoresearch', 'runs'))[0]!);
  const baseline = rec.experiments.get(0);
  const baselineRuns = baseline?.runs.map((r) => r.metric) ?? [];
  const keeps = [...rec.experiments.values()].filter((e) => e.kind === 'candidate' && e.status === 'keep');
  const beyond = keeps.filter((k) => k.confidence && !['within-noise', 'unknown'].includes(k.confidence.label));
  console.log(`\n${cpus().length} cores, ${busy} busy loops, load ${loadavg()[0]!.toFixed(1)} at the end; sandbox ${process.env.AUTORESEARCH_SANDBOX ?? 'on'}; exit code ${code}`);
  console.log(`baseline's result after ${seen.baselineAt === null ? '—' : `${seen.baselineAt.toFixed(1)} s`} (target ≤ 60 s); 6 experiments in ${total.toFixed(1)} s (target about 180 s)`);
  console.log(`baseline runs: ${baselineRuns.join(', ')} (${new Set(baselineRuns).size === 1 ? 'identical' : 'NOT identical'}); steps ${baseline?.runs.map((r) => r.metrics.num_steps).join(', ')}`);
  console.log(`keeps: ${keeps.map((k) => `#${k.id} ${k.description} (${k.confidence?.label ?? '—'})`).join('; ') || 'none'}`);
  console.log(`promise ${baseline?.status === 'keep' && beyond.length > 0 ? 'held' : 'NOT held'}: ${beyond.length} keep(s) beyond the noise`);
} finally {
  for (const l of loops) l.kill('SIGKILL');
}
