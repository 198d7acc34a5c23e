// bench/ssh-overhead: what an SSH slot costs per experiment beyond a local slot. One run mixes a local slot and
// an SSH slot on the loopback sshd of the tests (test/helpers/ssh-server.ts; needs openssh-server), both running
// the same short trainer (`sleep 2`, then the metric) with an instant proposer. Per slot it prints the
// experiment's time outside the trainer's own 2 s (everything but the proposal: commit, push, worktree reset,
// launch, log stream, metric read, cleanup) and how many experiments the slot did.
// Target: the SSH slot's median overhead ≤ 1 s beyond the local slot's.
// Run: node bench/run.mjs ssh-overhead [experiments=12]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { uptime } from 'node:os';
import path from 'node:path';
import type { Proposer } from '../src/core/agent/proposer.js';
import { readRunRecord } from '../src/core/journal/read.js';
import { startRun } from '../src/core/loop/start-run.js';
import { ProjectConfigSchema } from '../src/shared/config.js';
import { trustForTest } from '../test/helpers/trust.js';
import { sshAvailability, startSshServer } from '../test/helpers/ssh-server.js';

const N = Number(process.argv[2] ?? 12);
const TRAINER_MS = 2_000;
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

const available = sshAvailability();
if (!available.ok) {
  console.log(`skipped: ${available.reason}`);
  process.exit(0);
}
const server = await startSshServer();
// Under /var/tmp, not /tmp: the local slot's trainer runs sandboxed with a private /tmp (test/helpers/project.ts).
const dir = mkdtempSync(path.join('/var/tmp', 'ar-bench-ssh-'));
try {
  writeFileSync(path.join(dir, 'train.py'), 'LEARNING_RATE = 0.01\n');
  writeFileSync(path.join(dir, 'prepare.py'), 'EVAL = 1\n');
  mkdirSync(path.join(dir, '.autoresearch'));
  const config = ProjectConfigSchema.parse({
    run: { command: `sleep ${TRAINER_MS / 1000}; echo "val_bpb: 1.000000"` },
    files: { editable: ['train.py'], protected: ['prepare.py'] },
    metric: { name: 'val_bpb', direction: 'min' },
    budget: { seconds: 10, timeoutSeconds: 30, graceSeconds: 1 },
    acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 },
    slots: [
      { env: {} },
      { env: {}, executor: { kind: 'ssh', host: server.host, port: server.port, remoteDir: path.join(server.remoteRoot, 'bench'), linked: {}, options: server.options } },
    ],
  });
  writeFileSync(path.join(dir, '.autoresearch', 'config.json'), JSON.stringify(config));
  trustForTest(dir);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'bench@example.com');
  git(dir, 'config', 'user.name', 'Bench');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'init');

  // Instant proposer: one new line per experiment, so every candidate is a new commit to send to the host.
  const instant: Proposer = {
    name: 'instant',
    async propose(ctx) {
      const text = await ctx.workspace.readFile('train.py');
      await ctx.workspace.writeFile('train.py', `${text}# ${ctx.experimentId}\n`);
      return { description: `line ${ctx.experimentId}`, hypothesis: '', usage: null, transcript: null };
    },
  };
  const load = `load average ${
    execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ')
  } (uptime ${Math.round(uptime() / 60)} min)`;
  const handle = await startRun({
    projectDir: dir,
    tag: 'bench',
    maxExperiments: N,
    deps: { env: process.env, nodePath: process.execPath, appVersion: 'bench', createProposer: async () => instant },
  });
  await handle.done;
  const rec = await readRunRecord(dir, 'bench');
  const all = [...rec.experiments.values()];
  const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
  const rows = [0, 1].map((slot) => {
    const mine = all.filter((e) => e.slot === slot && e.timings.totalMs !== null);
    const over = mine.map((e) => (e.timings.totalMs ?? 0) - (e.timings.proposalMs ?? 0) - TRAINER_MS).sort((a, b) => a - b);
    const failed = mine.filter((e) => e.status !== 'keep' && e.status !== 'discard').length;
    return { slot, where: mine[0]?.where ?? '?', count: mine.length, failed, median: pct(over, 0.5), p90: pct(over, 0.9), max: over.at(-1) ?? NaN };
  });
  console.log(`per-experiment overhead beyond the trainer's ${TRAINER_MS / 1000} s (ms), ${N} experiments, trainer = \`sleep 2; echo val_bpb\`, proposer = instant`);
  console.log(`${load} at the start; now ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
  console.log('slot  where                    experiments  failed  median    p90    max');
  for (const r of rows) {
    console.log(`${String(r.slot).padStart(4)}  ${r.where.padEnd(23)}  ${String(r.count).padStart(11)}  ${String(r.failed).padStart(6)}  ${r.median.toFixed(0).padStart(6)}  ${r.p90.toFixed(0).padStart(5)}  ${r.max.toFixed(0).padStart(5)}`);
  }
  const extra = rows[1]!.median - rows[0]!.median;
  console.log(`SSH slot's median overhead beyond the local slot's: ${extra >= 0 ? '+' : ''}${extra.toFixed(0)} ms; target ≤ 1000 ms: ${extra <= 1000 ? 'met' : 'NOT met'}`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
