// Agent-written code runs under bubblewrap: a hostile trainer, started by the real CLI whose own environment
// holds the API key, looks for the key in every process it can see, reads ~/.ssh and tries to write outside
// its worktree. The same trainer with the sandbox off shows that each attack works without it.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { runCommand } from '../../src/core/exec/run-command.js';
import { findBwrap } from '../../src/core/exec/sandbox.js';
import { runPaths } from '../../src/core/project/paths.js';
import { buildCli, runCli, spawnCli } from '../helpers/cli.js';
import { waitUntil } from '../helpers/processes.js';
import { git, TRAINERS, writeConfig } from '../helpers/project.js';
import { trustForTest } from '../helpers/trust.js';

const bwrap = await findBwrap();
// CI installs bubblewrap (.ci/run): there a missing bwrap is a failure, elsewhere a skip with the reason.
if (!bwrap && process.env.CI === 'true') throw new Error('bubblewrap (bwrap) is missing or cannot create namespaces; .ci/run installs it.');
const describeSandbox = bwrap ? describe : describe.skip;

beforeAll(() => {
  if (bwrap) buildCli();
});
// Not under /tmp: the sandbox gives the trainer a private /tmp, which would hide these folders for the wrong reason.
const made: string[] = [];
const diskDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(existsSync('/var/tmp') ? '/var/tmp' : process.cwd(), prefix));
  made.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

function snoopProject(sandboxNetwork = true): { dir: string; home: string } {
  const dir = diskDir('ar-sandbox-');
  writeFileSync(path.join(dir, 'prepare.mjs'), 'export const EVAL = 1;\n');
  writeFileSync(path.join(dir, '.gitignore'), 'data/\n');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'config', 'user.email', 'test@example.com');
  copyFileSync(path.join(TRAINERS, 'snoop.mjs'), path.join(dir, 'train.mjs'));
  mkdirSync(path.join(dir, 'data'));
  writeConfig(dir, {
    run: { command: `"${process.execPath}" train.mjs` },
    files: { editable: ['train.mjs'], protected: ['prepare.mjs'], linked: ['data'] },
    metric: { name: 'val_bpb', direction: 'min' },
    budget: { seconds: 5, timeoutSeconds: 30, graceSeconds: 1 },
    sandbox: { network: sandboxNetwork },
  });
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'snoop');
  const home = diskDir('ar-home-');
  mkdirSync(path.join(home, '.ssh'));
  writeFileSync(path.join(home, '.ssh', 'id_ed25519'), '-----BEGIN OPENSSH PRIVATE KEY----- SSHSECRET\n');
  return { dir, home };
}

async function runSnoop(dir: string, home: string, sandbox: 'on' | 'off'): Promise<Record<string, number>> {
  // The CLI reads its approvals from the data folder of the HOME it is given.
  trustForTest(dir, path.join(home, '.autoresearch-studio'));
  const run = await runCli(['run', dir, '--tag', `s-${sandbox}`, '--max-experiments', '1'], {
    env: { HOME: home, ANTHROPIC_API_KEY: 'sk-ant-api03-SANDBOXSECRET', AUTORESEARCH_SANDBOX: sandbox },
    timeoutMs: 120_000,
  });
  expect(run.code, run.stderr).toBe(0);
  if (sandbox === 'off') expect(run.stderr).toMatch(/sandbox is off/);
  else expect(run.stderr).not.toMatch(/sandbox/i);
  const log = readFileSync(path.join(runPaths(dir, `s-${sandbox}`).logsDir, '0.log'), 'utf8');
  const line = log.split('\n').find((l) => l.startsWith('snoop '));
  expect(line, log).toBeDefined();
  return Object.fromEntries(line!.slice(6).split(' ').map((kv) => [kv.split('=')[0]!, Number(kv.split('=')[1])]));
}

describeSandbox('the sandbox (bubblewrap)', () => {
  it('hides the key and ~/.ssh from a trainer and keeps it inside its worktree (linked inputs read-only, the home folder a scratch copy)', async () => {
    const { dir, home } = snoopProject();
    const seen = await runSnoop(dir, home, 'on');
    expect(seen).toEqual({
      leak_parent_env: 0,
      leak_any_env: 0,
      leak_env: 0,
      leak_ssh: 0,
      wrote_git_hooks: 0,
      wrote_app_dir: 0,
      wrote_checkout: 0,
      // The home folder inside is an empty scratch folder (the allowlist): writing works and reaches nothing.
      wrote_home: 1,
      wrote_worktree_git: 0,
      wrote_worktree: 1,
      // Linked inputs are read-only by default (sandbox.readOnlyInputs).
      wrote_data: 0,
    });
    expect(existsSync(path.join(dir, '.git', 'hooks', 'post-checkout'))).toBe(false);
    expect(existsSync(path.join(dir, 'planted.txt'))).toBe(false);
    expect(existsSync(path.join(home, 'planted'))).toBe(false);
    expect(existsSync(path.join(dir, 'data', 'cache.bin'))).toBe(false);
  }, 180_000);

  it('without the sandbox the same trainer finds the key in its parent and reads ~/.ssh (the attack is real)', async () => {
    const { dir, home } = snoopProject();
    const seen = await runSnoop(dir, home, 'off');
    expect(seen.leak_any_env).toBe(1);
    expect(seen.leak_env).toBe(0); // the key is removed from the trainer's own environment either way
    expect(seen.leak_ssh).toBe(1);
    expect(seen.wrote_checkout).toBe(1);
  }, 180_000);

  it('sandbox.network: false cuts the network (a local server becomes unreachable); true keeps it', async () => {
    const server = createServer((socket) => socket.end('hello\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const wt = diskDir('ar-net-');
    const probe = `"${process.execPath}" -e "require('net').connect(${port}, '127.0.0.1').on('data', (d) => { process.stdout.write('got ' + d); process.exit(0); }).on('error', (e) => { console.log('refused ' + e.code); process.exit(0); })"`;
    try {
      const out: Record<string, string> = {};
      for (const network of [true, false]) {
        let text = '';
        const r = await runCommand({
          command: probe,
          cwd: wt,
          env: process.env,
          logFile: path.join(wt, `net-${network}.log`),
          logMaxBytes: 1 << 20,
          timeoutMs: 20_000,
          graceMs: 1_000,
          sandbox: { bwrap: bwrap!, spec: { writable: [wt], network } },
          onOutput: (t) => (text += t),
        });
        expect(r.exitCode, text).toBe(0);
        out[String(network)] = text.trim();
      }
      expect(out.true).toBe('got hello');
      expect(out.false).toMatch(/^refused E/);
    } finally {
      server.close();
    }
  }, 60_000);

  it('Ctrl-C kills a sandboxed trainer and the escapee it started with setsid, which ignores SIGTERM', async () => {
    // The trainer's host pids are found by a marker in their environment (/proc/<pid>/environ), since inside its
    // PID namespace the trainer only knows its namespaced pid.
    const mark = `AR_SANDBOX_KILL_${process.pid}_${Date.now()}`;
    const withMark = () =>
      readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .filter((d) => {
          try {
            return readFileSync(`/proc/${d}/environ`, 'latin1').includes(`${mark}=1`);
          } catch {
            return false;
          }
        });
    const dir = diskDir('ar-sandbox-kill-');
    const trainer = `import { spawn } from 'node:child_process';
const escapee = spawn('setsid', [process.execPath, '-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { detached: true, stdio: 'ignore' });
escapee.unref();
console.log('started');
setInterval(() => {}, 1000);
`;
    writeFileSync(path.join(dir, 'train.mjs'), trainer);
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'config', 'user.name', 'Test');
    git(dir, 'config', 'user.email', 'test@example.com');
    writeConfig(dir, {
      run: { command: `"${process.execPath}" train.mjs`, env: { [mark]: '1' } },
      files: { editable: ['train.mjs'] },
      metric: { name: 'val_bpb', direction: 'min' },
      budget: { seconds: 60, timeoutSeconds: 120, graceSeconds: 1 },
    });
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'kill');
    const child = spawnCli(['run', dir, '--tag', 'kill', '--max-experiments', '1']);
    child.stdout?.resume();
    child.stderr?.resume();
    // The trainer and its escapee both run (two node processes with the marker, plus bwrap's own).
    expect(await waitUntil(() => withMark().length >= 2, 60_000)).toBe(true);
    const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(await waitUntil(() => withMark().length === 0, 20_000), `left running: ${withMark().join(' ')}`).toBe(true);
  }, 180_000);
});
