// The Api contract against the real engine, through both transports: the IPC path (dispatchApiCall, what
// src/main runs for each call) and the WebSocket path (serve's server + the renderer's client). Both must
// give the same results and the same errors, and secrets never cross either.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiError, type ApiMethod, type StudioEvent } from '../../src/shared/api.js';
import { dispatchApiCall } from '../../src/shared/dispatch.js';
import { createEnvSecretStore, createStudio, type Studio } from '../../src/core/studio/index.js';
import { startServer, type RunningServer } from '../../src/cli/serve/server.js';
import { createWsClient, type SocketLike, type WsClient } from '../../src/renderer/api/ws-client.js';
import { APP_ROOT } from '../e2e/helpers/serve.js';
import { linkTestTrust } from '../helpers/trust.js';

type Outcome = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string; fieldErrors?: unknown } };

describe('Api contract: engine behind IPC dispatch and behind the WebSocket', () => {
  let scratch: string;
  let studio: Studio;
  let server: RunningServer;
  let client: WsClient;
  const pushed: StudioEvent[] = [];
  const rawFrames: string[] = [];
  const SECRET = 'sk-ant-contract-test-0123456789';

  /** The IPC path: exactly what src/main's handler does with a call. */
  const viaIpc = (method: ApiMethod, args: unknown) => dispatchApiCall(studio.api, method, args) as Promise<Outcome>;
  /** The WebSocket path, through the renderer's own client. */
  const viaWs = async (method: ApiMethod, args: unknown): Promise<Outcome> => {
    try {
      return { ok: true, result: await (client.api[method] as (a: unknown) => Promise<unknown>)(args) };
    } catch (err) {
      const e = err as ApiError;
      expect(e).toBeInstanceOf(ApiError);
      const error: { code: string; message: string; fieldErrors?: unknown } = { code: e.code, message: e.message };
      if (e.fieldErrors.length) error.fieldErrors = e.fieldErrors;
      return { ok: false, error };
    }
  };
  /** Call through both; they must agree. Returns the outcome. */
  const both = async (method: ApiMethod, args: unknown): Promise<Outcome> => {
    const a = await viaIpc(method, args);
    const b = await viaWs(method, args);
    expect(b, `${method} over WebSocket vs IPC`).toEqual(a);
    return a;
  };
  /** The first push matching pred with a seq above afterSeq (already received, or still to come). */
  const waitForPush = (pred: (e: StudioEvent) => boolean, timeoutMs = 60_000, afterSeq = 0) =>
    new Promise<StudioEvent>((resolve, reject) => {
      const match = (e: StudioEvent) => e.seq > afterSeq && pred(e);
      const hit = pushed.find(match);
      if (hit) return resolve(hit);
      const t = setTimeout(() => reject(new Error(`no matching push within ${timeoutMs} ms; got ${pushed.map((e) => e.type).join(',')}`)), timeoutMs);
      const off = client.onEvent((e) => {
        if (match(e)) {
          clearTimeout(t);
          off();
          resolve(e);
        }
      });
    });

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'ar-contract-'));
    studio = await createStudio({
      app: { version: '0.0.0-test', host: 'serve', platform: process.platform },
      dataDir: linkTestTrust(path.join(scratch, 'data')),
      appRoot: APP_ROOT,
      secrets: createEnvSecretStore({}),
      env: { ...process.env, ANTHROPIC_API_KEY: '' },
    });
    server = await startServer({ studio, rendererDir: path.join(scratch, 'no-ui'), port: 0 });
    const origin = `http://127.0.0.1:${server.port}`;
    client = createWsClient({
      url: `ws://127.0.0.1:${server.port}/ws?token=${server.token}`,
      createSocket: (url) => {
        const ws = new WebSocket(url, { headers: { origin } });
        ws.on('message', (d) => rawFrames.push(d.toString()));
        return ws as unknown as SocketLike;
      },
    });
    client.onEvent((e) => pushed.push(e));
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await server?.close();
    await studio?.dispose();
    await rm(scratch, { recursive: true, force: true });
  });

  it('starts with no project and says where it runs', async () => {
    const snap = (await both('snapshot', {})) as { ok: true; result: any };
    expect(snap.result.app).toEqual({ version: '0.0.0-test', host: 'serve', platform: process.platform });
    expect(snap.result.project).toBeNull();
    expect(snap.result.apiKey).toMatchObject({ set: false });
    const refused = await both('readProgram', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('rejects invalid arguments at the boundary, the same way on both paths', async () => {
    const steer = await both('steer', { note: '  ' });
    expect(steer).toEqual({ ok: false, error: { code: 'invalid-args', message: 'Invalid request to steer: note: Write a note for the agent', fieldErrors: [{ path: 'note', message: 'Write a note for the agent' }] } });
    const tag = await both('getRun', { tag: '../../etc' });
    expect(tag).toMatchObject({ ok: false, error: { code: 'invalid-args' } });
    const extra = await both('listRuns', { all: true });
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid-args' } });
  });

  it('explains a folder that does not exist', async () => {
    const r = await both('openProject', { dir: path.join(scratch, 'missing') });
    expect(r).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect((r as { error: { message: string } }).error.message).toContain('does not exist');
  });

  it('creates and opens the demo, and pushes the project and recent list', async () => {
    const dir = path.join(scratch, 'demo');
    const r = (await viaWs('createDemo', { dir })) as { ok: true; result: any };
    expect(r.ok).toBe(true);
    expect(r.result).toMatchObject({ dir, name: 'demo', isGit: true, hasProgram: true, dirtyFiles: [] });
    expect(r.result.config.metric).toMatchObject({ name: 'val_bpb', direction: 'min' });
    await waitForPush((e) => e.type === 'project' && e.project?.dir === dir);
    await waitForPush((e) => e.type === 'recent' && e.recentProjects[0] === dir);
    const again = await viaWs('createDemo', { dir });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('validates and saves configs with errors by field', async () => {
    const bad = (await both('validateConfig', { config: { run: { command: '' }, metric: { name: 'val bpb', direction: 'min' }, files: { editable: [] }, budget: { seconds: -1 } } })) as {
      ok: true;
      result: { ok: boolean; errors: { path: string }[] };
    };
    expect(bad.result.ok).toBe(false);
    expect(bad.result.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['run.command', 'metric.name', 'files.editable', 'budget.seconds']));
    const snap = (await viaIpc('snapshot', {})) as { ok: true; result: any };
    const config = { ...snap.result.project.config, stop: { ...snap.result.project.config.stop, maxExperiments: 3 } };
    const saveBad = (await both('saveConfig', { config: { ...config, budget: { seconds: 10, timeoutSeconds: 5 } } })) as { ok: true; result: any };
    expect(saveBad.result).toEqual({ ok: false, errors: [{ path: 'budget.timeoutSeconds', message: expect.stringContaining('must be at least the budget') }] });
    const saved = (await viaWs('saveConfig', { config })) as { ok: true; result: any };
    expect(saved.result.ok).toBe(true);
    expect(saved.result.project.config.stop.maxExperiments).toBe(3);
    const onDisk = JSON.parse(await readFile(path.join(scratch, 'demo', '.autoresearch', 'config.json'), 'utf8'));
    expect(onDisk.stop.maxExperiments).toBe(3);
  });

  it('tests a metric on pasted text and lists files', async () => {
    const metric = { name: 'val_bpb', direction: 'min', extract: { kind: 'line' } };
    const found = (await both('testMetric', { metric, text: 'val_bpb: 1.5\npeak_mem_mb: 3\n' })) as { ok: true; result: any };
    expect(found.result).toMatchObject({ value: 1.5, error: null });
    const none = (await both('testMetric', { metric, text: 'nothing here' })) as { ok: true; result: any };
    expect(none.result.value).toBeNull();
    expect(none.result.error).toEqual(expect.any(String));
    const badRegex = await both('testMetric', { metric: { ...metric, extract: { kind: 'regex', pattern: '(a)(b)' } }, text: 'x' });
    expect(badRegex).toMatchObject({ ok: false, error: { code: 'invalid-args' } });
    // Early stopping's pattern, on pasted output: the same points both ways; a project without runs has no log.
    const curve = (await both('testCurve', { pattern: 'step (\\d+) \\| val_loss ([0-9.]+)', text: 'step 200 | val_loss 2.5\nnoise\rstep 400 | val_loss 2.1\n' })) as { ok: true; result: any };
    expect(curve.result).toEqual({ points: [[200, 2.5], [400, 2.1]], matchedLines: 2, axis: 'step', error: null });
    const noLog = (await both('testCurve', { pattern: 'loss ([0-9.]+)' })) as { ok: true; result: any };
    expect(noLog.result.error).toMatch(/no experiment log yet/);
    expect(await both('testCurve', { pattern: 42 })).toMatchObject({ ok: false, error: { code: 'invalid-args' } });
    const files = (await both('listFiles', {})) as { ok: true; result: { files: { path: string; tracked: boolean }[] } };
    expect(files.result.files).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'train.mjs', tracked: true })]));
  });

  it('tests a slot through its executor, with the settings as typed', async () => {
    // This engine's environment names no Slurm cluster: sinfo answers with its error (or is missing), never a throw.
    const slurm = (await both('testSlot', { slot: { env: {}, executor: { kind: 'slurm', partition: 'gpu' } } })) as { ok: true; result: any };
    expect(slurm.result).toMatchObject({ ok: false, command: 'sinfo --partition=gpu', output: expect.stringMatching(/^(sinfo failed: |sinfo was not found)/) });
    const local = (await both('testSlot', { slot: { env: {} } })) as { ok: true; result: any };
    expect(local.result.command).toBe('nvidia-smi -L');
    expect(local.result.output).toMatch(local.result.ok ? /GPU \d+:/ : /nvidia-smi/);
    const bad = await both('testSlot', { slot: { executor: { kind: 'slurm', gpus: -1, extraArgs: ['--wrap=x'] } } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-args' } });
    expect(JSON.stringify(bad)).toContain('GPUs cannot be negative');
    expect(JSON.stringify(bad)).toContain('--wrap is set by the app');
  });

  it('reads and saves program.md', async () => {
    const before = (await both('readProgram', {})) as { ok: true; result: any };
    expect(before.result).toMatchObject({ exists: true, editable: ['train.mjs'] });
    await viaWs('saveProgram', { text: '# New instructions\n' });
    const after = (await both('readProgram', {})) as { ok: true; result: any };
    expect(after.result.text).toBe('# New instructions\n');
    expect(await readFile(path.join(scratch, 'demo', 'program.md'), 'utf8')).toBe('# New instructions\n');
  });

  it('sets and clears the API key without the key ever crossing the transport', async () => {
    const set = (await viaWs('setApiKey', { key: SECRET })) as { ok: true; result: any };
    expect(set.result).toMatchObject({ set: true, source: 'store' });
    await waitForPush((e) => e.type === 'apiKey' && e.apiKey.set);
    const snap = (await both('snapshot', {})) as { ok: true; result: any };
    expect(snap.result.apiKey.set).toBe(true);
    const cleared = (await viaWs('clearApiKey', {})) as { ok: true; result: any };
    expect(cleared.result).toMatchObject({ set: false });
    expect(rawFrames.join('\n')).not.toContain(SECRET);
    expect(JSON.stringify(pushed)).not.toContain(SECRET);
  });

  it('refuses run controls with no run, with the same message on both paths', async () => {
    for (const method of ['pauseRun', 'stopRun', 'resumeRun'] as const) {
      const r = await both(method, {});
      expect(r).toMatchObject({ ok: false, error: { code: 'conflict' } });
    }
    expect(await both('steer', { note: 'try a smaller model' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await both('getRun', { tag: 'nope' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('starts a run, pushes live state and experiments, steers it, and stops it', async () => {
    const mark = pushed.at(-1)?.seq ?? 0;
    const started = (await viaWs('startRun', { tag: 'contract' })) as { ok: true; result: any };
    expect(started).toEqual({ ok: true, result: { tag: 'contract' } });
    await waitForPush((e) => e.type === 'live' && e.live?.tag === 'contract', 60_000, mark);
    const baseline = (await waitForPush((e) => e.type === 'experiment' && e.tag === 'contract' && e.experiment.id === 0, 60_000, mark)) as Extract<StudioEvent, { type: 'experiment' }>;
    expect(baseline.experiment.kind).toBe('baseline');
    expect(await both('startRun', { tag: 'other' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await viaWs('steer', { note: 'try a lower learning rate' })).toEqual({ ok: true, result: null });
    // While the run is live its summary changes between two calls (elapsed time, last event), so the two
    // paths are compared once it has stopped; live, the run only has to be listed as running.
    const live = (await viaWs('listRuns', {})) as { ok: true; result: { tag: string; state: string }[] };
    expect(live.result.find((r) => r.tag === 'contract')?.state).toBe('running');
    expect(await viaWs('stopRun', {})).toEqual({ ok: true, result: null });
    await waitForPush((e) => e.type === 'live' && e.live === null, 90_000, mark);
    const runs = (await both('listRuns', {})) as { ok: true; result: { tag: string; state: string }[] };
    expect(runs.result.find((r) => r.tag === 'contract')?.state).toBe('stopped');
    const detail = (await both('getRun', { tag: 'contract' })) as { ok: true; result: any };
    expect(detail.result.state).toBe('stopped');
    expect(detail.result.stopReason).toBe('user');
    expect(detail.result.steering.map((s: { note: string }) => s.note)).toContain('try a lower learning rate');
    expect(detail.result.experiments[0].id).toBe(0);
  }, 150_000);

  it('replays pushes in order with eventsSince, the catch-up a reconnecting client makes', async () => {
    type Log = { ok: true; result: { events: StudioEvent[]; complete: boolean } };
    // The run's list is pushed again once its files settle after the stop, so an event may land between the
    // IPC call and the WebSocket one: the socket's answer is the IPC one, plus perhaps events numbered after it.
    const bothLog = async (seq: number): Promise<Log> => {
      const a = (await viaIpc('eventsSince', { seq })) as Log;
      const b = (await viaWs('eventsSince', { seq })) as Log;
      expect(a.ok && b.ok).toBe(true);
      const cut = a.result.events.at(-1)?.seq ?? seq;
      expect(b.result.events.filter((e) => e.seq <= cut), 'eventsSince over WebSocket vs IPC').toEqual(a.result.events);
      expect(b.result.complete).toBe(a.result.complete);
      return a;
    };
    const all = await bothLog(0);
    const seqs = all.result.events.map((e) => e.seq);
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const pushedSeqs = new Set(pushed.map((e) => e.seq));
    const last = seqs.at(-1)!;
    // Everything the socket saw up to then is in the log (the log may hold more: events before the socket opened).
    for (const s of pushedSeqs) if (s >= (seqs[0] ?? 0) && s <= last) expect(seqs).toContain(s);
    // Asked from the last one, only what came after it (usually nothing), and nothing missing.
    const tail = await bothLog(last);
    expect(tail.result.complete).toBe(true);
    for (const e of tail.result.events) expect(e.seq).toBeGreaterThan(last);
  });
});
