// bench/reopen: reopening a long run after kill -9 (issue 21 item 6). For 10,000 and 100,000 experiments: a real
// process writes the run's journal (test/helpers/reopen-writer.ts: an earlier session in bulk, then a live session
// through the real journal writer and the live snapshot keeper, an fsync an event) and is SIGKILLed at a seeded
// random moment of the live session; then `autoresearch status` (the real CLI) and `autoresearch serve` (until it
// prints its URL) are timed on the killed run, wall time and peak RSS each. Needs `npm run build` (the CLI).
// Run: node bench/run.mjs reopen [sizes=10000,100000] [seed] [--no-snapshot-baseline]
// The node start-up alone (`node -e 0`) is printed too, and the load average beside each figure: on a busy
// machine start-up is a good part of each, and wall time there is several times the CPU time, so both are shown
// (status is run three times; the median is printed).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(repo, 'bin', 'autoresearch.mjs');
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const sizes = (args[0] ?? '10000,100000').split(',').map(Number);
let seed = Number(args[1] ?? Date.now() % 100_000);
const withBaseline = !process.argv.includes('--no-snapshot-baseline');
const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

const writer = path.join(repo, 'out', 'bench', 'reopen-writer.mjs');
await build({ entryPoints: [path.join(repo, 'test', 'helpers', 'reopen-writer.ts')], outfile: writer, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });

/** Wall seconds, CPU seconds (user + system) and peak RSS (MB) of a command, by /usr/bin/time. */
function timed(cmd: string[], cwd: string): { s: number; cpu: number; mb: number; out: string } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...cmd], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr}`);
  const [s, user, sys, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { s: s!, cpu: user! + sys!, mb: kb! / 1024, out: r.stdout };
}

/** The median run of three, by wall time. */
function median3(cmd: string[], cwd: string): ReturnType<typeof timed> {
  return [timed(cmd, cwd), timed(cmd, cwd), timed(cmd, cwd)].sort((a, b) => a.s - b.s)[1]!;
}

const load = () => `load ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores`;
const figures = (t: { s: number; cpu?: number; mb: number }) => `${t.s.toFixed(2)} s (CPU ${t.cpu?.toFixed(2) ?? '?'} s), peak RSS ${t.mb.toFixed(0)} MB, ${load()}`;

/** serve: seconds until it prints its URL, its CPU seconds and peak RSS then (VmHWM); then stopped with SIGINT. */
function serve(dir: string, dataDir: string): Promise<{ s: number; cpu: number; mb: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [cli, 'serve', dir, '--port', '0'], { env: { ...process.env, AUTORESEARCH_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.includes('Open: ')) return;
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      // utime and stime, in clock ticks (100 a second on Linux), fields 14 and 15 of /proc/PID/stat.
      const ticks = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const cpu = (Number(ticks[11]) + Number(ticks[12])) / 100;
      child.kill('SIGINT');
      child.once('exit', () => resolve({ s, cpu, mb: Number(hwm?.[1] ?? 0) / 1024 }));
      out = '';
    });
    child.on('exit', (code) => (code !== 0 && code !== null && !out.includes('Open') ? reject(new Error(`serve exited ${code}: ${err}`)) : undefined));
  });
}

/** Run the writer and SIGKILL it after `killAfter` live experiments. */
function writeAndKill(runDir: string, prefix: number, live: number, killAfter: number): Promise<{ snapshots: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, '--run-dir', runDir, '--prefix', String(prefix), '--live', String(live), '--seed', String(seed)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    let snapshots = 0;
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = [...buf.matchAll(/^live (\d+) (\d+)$/gm)].pop();
      if (m && Number(m[1]) - prefix + 1 >= killAfter && !child.killed) {
        snapshots = Number(m[2]);
        child.kill('SIGKILL');
      }
      buf = buf.slice(Math.max(0, buf.lastIndexOf('\n', buf.length - 2)));
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve({ snapshots }) : reject(new Error('the writer ended before it was killed'))));
  });
}

const startup = median3([process.execPath, '-e', '0'], repo);
console.log(`node start-up alone: ${figures(startup)} (this machine, now)`);
for (const n of sizes) {
  const root = mkdtempSync(path.join(os.tmpdir(), `ar-reopen-${n}-`));
  try {
    const project = path.join(root, 'project');
    mkdirSync(path.join(project, '.autoresearch'), { recursive: true });
    writeFileSync(path.join(project, 'train.py'), 'print("val_bpb: 1.0")\n');
    writeFileSync(path.join(project, '.autoresearch', 'config.json'), JSON.stringify({ run: { command: 'python train.py' }, files: { editable: ['train.py'] }, metric: { name: 'val_bpb', direction: 'min' }, budget: { seconds: 300 } }, null, 2));
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: project });
    execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', 'commit', '-qm', 'init', '--allow-empty'], { cwd: project });
    const runDir = path.join(project, '.autoresearch', 'runs', 'big');
    // The live session runs past two snapshot intervals (1 MB, or 1/128 of the journal: ~500 or ~800 experiments).
    const live = n >= 50_000 ? 1_800 : 1_000;
    const killAfter = 1 + Math.floor(rand() * live);
    const t0 = Date.now();
    const { snapshots } = await writeAndKill(runDir, n - live, live, killAfter);
    const journal = statSync(path.join(runDir, 'journal.jsonl')).size;
    const snapFile = path.join(runDir, 'fold-snapshot.jsonl');
    const head = JSON.parse(readFileSync(snapFile, 'utf8').slice(0, 4096).split('"record"')[0]!.replace(/,$/, '}')) as { mark: { offset: number } };
    console.log(
      `\n${n.toLocaleString('en')} experiments: written in ${((Date.now() - t0) / 1000).toFixed(0)} s, killed after ${killAfter} of the live session's ${live} (${snapshots} live snapshots); ` +
        `journal ${(journal / 1e6).toFixed(1)} MB, snapshot covers ${(head.mark.offset / 1e6).toFixed(1)} MB, tail ${((journal - head.mark.offset) / 1e6).toFixed(2)} MB`,
    );
    const status = median3([process.execPath, cli, 'status', project], project);
    if (!status.out.includes(`${(n - live + killAfter - 1).toLocaleString('en')}`) && !/experiments?/.test(status.out)) throw new Error(`status printed no run: ${status.out}`);
    console.log(`  status after the kill: ${figures(status)}`);
    console.log(`  node -e 0 just now:    ${figures(median3([process.execPath, '-e', '0'], repo))}`);
    const served = await serve(project, path.join(root, 'data'));
    console.log(`  serve until its URL:   ${figures(served)}`);
    if (withBaseline && n <= 10_000) {
      // For comparison: the same killed run without its snapshot (the whole journal parsed, as before).
      unlinkSync(snapFile);
      const full = timed([process.execPath, cli, 'status', project], project);
      console.log(`  status without the snapshot (for comparison): ${figures(full)}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
