// bench/sandbox-start: what the sandbox adds to the start of every command (issue 20, "macOS too"). Runs `true`
// N times (default 50) each way and prints the median and p90 in milliseconds:
//   - unsandboxed:  /bin/sh -c true, the floor every way pays;
//   - ours:         bwrap with bwrapArgs() for a slot as commandSandbox() builds it (a writable worktree, its .git
//                   read-only, the home folder's secrets hidden, the caches writable, network off);
//   - srt library:  @anthropic-ai/sandbox-runtime's SandboxManager with the same policy, wrapWithSandbox() per
//                   command (a slot's policy differs per command) and the wrapped line run through a shell; its
//                   wrap time (an rg scan of the cwd for dangerous files, socat relays) is printed apart too;
//   - srt CLI:      `srt --settings <file> true`, the same policy, with node's own start-up in it.
// srt is not a dependency of the app: install it outside the repository and point SRT_DIR at that folder
// (`mkdir /tmp/srt && cd /tmp/srt && npm init -y && npm i @anthropic-ai/sandbox-runtime`; on Linux it needs rg
// and socat on PATH). Without it, or without bwrap, those rows say why they were skipped.
// Run: SRT_DIR=/tmp/srt node bench/run.mjs sandbox-start [runs]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bwrapArgs, findBwrap, HOME_CACHES, HOME_SECRETS, inHomes, type SandboxSpec } from '../src/core/exec/sandbox.js';

const runs = Number(process.argv[2] ?? 50);
const srtDir = process.env.SRT_DIR ?? '/tmp/srt';

const base = mkdtempSync(path.join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'ar-sandbox-bench-'));
const wt = path.join(base, 'worktree');
mkdirSync(wt, { recursive: true });
writeFileSync(path.join(wt, '.git'), 'gitdir: /nowhere\n');
writeFileSync(path.join(wt, 'train.py'), 'print(1)\n');

const spec: SandboxSpec = {
  readable: [base],
  writable: [wt, ...inHomes(process.env, HOME_CACHES)],
  readOnly: [path.join(wt, '.git')],
  hidden: inHomes(process.env, HOME_SECRETS),
  network: false,
};

const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return `median ${at(0.5).toFixed(1).padStart(6)} ms   p90 ${at(0.9).toFixed(1).padStart(6)} ms`;
};

/** Wall milliseconds of each of `runs` calls of `once`, which throws when the command failed. */
async function time(once: () => Promise<void> | void): Promise<number[]> {
  await once(); // warm: the first run pays for page-cache misses the rest do not
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await once();
    out.push(performance.now() - t);
  }
  return out;
}

const ok = (r: ReturnType<typeof spawnSync>, what: string) => {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${String(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
};

const row = (name: string, text: string) => console.log(`${name.padEnd(26)} ${text}`);

console.log(`${runs} runs of \`true\` each way; load average ${(await import('node:os')).loadavg()[0]!.toFixed(2)}`);
row('unsandboxed (sh -c true)', stats(await time(() => ok(spawnSync('/bin/sh', ['-c', 'true'], { cwd: wt }), 'sh'))));

const bwrap = await findBwrap();
if (bwrap) {
  row('ours (bwrapArgs)', stats(await time(() => ok(spawnSync(bwrap, [...bwrapArgs(spec), '--chdir', wt, '/bin/sh', '-c', 'true'], { cwd: wt, encoding: 'utf8' }), 'bwrap'))));
} else row('ours (bwrapArgs)', 'skipped: no working bwrap here (Linux with bubblewrap only)');

const srtIndex = path.join(srtDir, 'node_modules', '@anthropic-ai', 'sandbox-runtime', 'dist', 'index.js');
if (!existsSync(srtIndex)) {
  row('srt', `skipped: no @anthropic-ai/sandbox-runtime under ${srtDir} (set SRT_DIR; see the top of this file)`);
} else {
  const policy = {
    network: { allowedDomains: [] as string[], deniedDomains: [] as string[] },
    filesystem: { denyRead: spec.hidden!, allowWrite: [...spec.writable], denyWrite: [...spec.readOnly!] },
  };
  // A library with no types here on purpose: it is evaluated, not depended on.
  const { SandboxManager } = (await import(pathToFileURL(srtIndex).href)) as {
    SandboxManager: {
      initialize(c: unknown): Promise<void>;
      wrapWithSandbox(cmd: string, shell?: string, custom?: unknown): Promise<string>;
      reset(): Promise<void>;
    };
  };
  try {
    await SandboxManager.initialize(policy);
    const wraps: number[] = [];
    const all = await time(async () => {
      const t = performance.now();
      const line = await SandboxManager.wrapWithSandbox('true', undefined, policy);
      wraps.push(performance.now() - t);
      ok(spawnSync('/bin/bash', ['-c', line], { cwd: wt, encoding: 'utf8' }), 'srt');
    });
    row('srt library (wrap + run)', stats(all));
    row('  of which wrapWithSandbox', stats(wraps.slice(1)));
  } catch (err) {
    row('srt library', `failed: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    await SandboxManager.reset();
  }
  const settings = path.join(base, 'srt-settings.json');
  writeFileSync(settings, JSON.stringify(policy));
  const cli = path.join(path.dirname(srtIndex), 'cli.js');
  try {
    row('srt CLI (node + wrap + run)', stats(await time(() => ok(spawnSync(process.execPath, [cli, '--settings', settings, 'true'], { cwd: wt, encoding: 'utf8' }), 'srt CLI'))));
  } catch (err) {
    row('srt CLI', `failed: ${(err as Error).message.split('\n')[0]}`);
  }
}
console.log(`(home: ${homedir()}; ${spec.hidden!.length} secret paths hidden; the policy is the same in every sandboxed row)`);
rmSync(base, { recursive: true, force: true });
