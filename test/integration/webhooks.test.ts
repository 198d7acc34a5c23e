// Webhooks against real receivers on 127.0.0.1: a run's new best, crash streak and stop arrive as JSON that
// Slack (text), Discord (content) and a generic receiver (the figures) read; an ntfy URL gets plain text; a
// receiver that is down, or one that never answers, does not stop or slow the run, and is said once.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../src/core/loop/start-run.js';
import type { LoopDeps } from '../../src/core/loop/types.js';
import type { Proposer } from '../../src/core/agent/proposer.js';
import { createWebhookNotifier, webhookRequest, type WebhookMessage } from '../../src/core/notify/webhook.js';
import { CRASH_STREAK, runWebhooks } from '../../src/core/notify/run-webhooks.js';
import { cleanupTempDirs, scoredProject, tempDir } from '../helpers/project.js';
import { buildCli, runCli } from '../helpers/cli.js';
import { testStudio } from '../helpers/studio.js';
import { scriptedProposer, setConst } from '../helpers/scripted-proposer.js';
import { waitUntil } from '../helpers/processes.js';
import { linkTestTrust } from '../helpers/trust.js';

interface Received {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  cleanupTempDirs();
});

/** A receiver that records every request; `answer` decides the reply (or never replies). */
async function receiver(answer: (r: Received) => number | null = () => 200): Promise<{ url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const r = { path: req.url ?? '', headers: req.headers, body };
      got.push(r);
      const status = answer(r);
      if (status !== null) res.writeHead(status).end('ok');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000/secret`, got };
}

const deps = (proposer: Proposer): LoopDeps => ({ env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => proposer, sleep: async () => undefined });

/** A run of the scored trainer: a keep, CRASH_STREAK crashes, then the stop; its journal events feed the webhooks. */
async function runWithWebhooks(url: string, onError: (m: string) => void) {
  const { dir } = scoredProject();
  const crashes = Array.from({ length: CRASH_STREAK }, () => setConst('MODE', '1'));
  const proposer = scriptedProposer([setConst('LEARNING_RATE', '0.02'), ...crashes]);
  const handle = await startRun({ projectDir: dir, tag: 'hooks', maxExperiments: 1 + CRASH_STREAK, deps: deps(proposer) });
  const hooks = runWebhooks({ notifier: createWebhookNotifier({ url, timeoutMs: 1000, onError }), project: dir, tag: 'hooks', record: () => handle.record() });
  handle.subscribe((e) => (e.kind === 'journal' ? hooks.onEvent(e.event) : undefined));
  const outcome = await handle.done;
  await hooks.close();
  return { outcome, dir };
}

beforeAll(buildCli);

describe('webhooks', () => {
  it('posts the new best, the crash streak and the stop with the run figures, in order', async () => {
    const r = await receiver();
    const errors: string[] = [];
    const { outcome } = await runWithWebhooks(r.url, (m) => errors.push(m));
    expect(outcome.reason).toBe('max-experiments');
    expect(errors).toEqual([]);
    const bodies = r.got.map((g) => JSON.parse(g.body) as Record<string, unknown> & { figures: Record<string, unknown> });
    expect(bodies.map((b) => b.kind)).toEqual(['new-best', 'crash-streak', 'stop']);
    expect(r.got.every((g) => g.path === '/hooks/T000/B000/secret' && g.headers['content-type'] === 'application/json')).toBe(true);
    const [best, streak, stop] = bodies as [(typeof bodies)[0], (typeof bodies)[0], (typeof bodies)[0]];
    expect(best.title).toMatch(/^New best val_bpb \d\.\d{6} in hooks \(#1\)$/);
    expect(best.text).toContain('LEARNING_RATE → 0.02');
    expect(best.content).toBe(best.text);
    expect(streak.title).toBe(`${CRASH_STREAK} experiments in a row failed in hooks`);
    expect(stop.title).toBe('Run hooks stopped: max-experiments');
    expect(stop.figures).toMatchObject({ metric: 'val_bpb', direction: 'min', experiments: 2 + CRASH_STREAK, kept: 1, crashes: CRASH_STREAK, bestId: 1 });
    expect(stop.text).toMatch(/val_bpb \d\.\d{6} → \d\.\d{6} \(.+\), 1 kept of \d+/);
  });

  it('a receiver that is down or never answers does not stop the run, and is said once', async () => {
    // Down: a port nothing listens on (a server started and closed).
    const closed = await receiver();
    const downUrl = closed.url;
    await new Promise((r) => servers.pop()!.close(r));
    const errors: string[] = [];
    const { outcome } = await runWithWebhooks(downUrl, (m) => errors.push(m));
    expect(outcome.reason).toBe('max-experiments');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^The webhook http:\/\/127\.0\.0\.1:\d+\/… could not be reached \(.+\); the run goes on/);
    expect(errors[0]).not.toContain('secret');

    // Hanging: every request is held; each delivery is given up at its deadline, the run is not slowed by it.
    const hung = await receiver(() => null);
    const hungErrors: string[] = [];
    const second = await runWithWebhooks(hung.url, (m) => hungErrors.push(m));
    expect(second.outcome.reason).toBe('max-experiments');
    expect(hung.got.length).toBe(3);
    expect(hungErrors).toEqual([expect.stringMatching(/no answer within 1 s/)]);
  });

  it('a failure streak is said again only after a delivery succeeded', async () => {
    let fail = true;
    const r = await receiver(() => (fail ? 500 : 200));
    const errors: string[] = [];
    const n = createWebhookNotifier({ url: r.url, onError: (m) => errors.push(m) });
    const m: WebhookMessage = { kind: 'digest', title: 't', text: 'x', project: '/p', tag: 't', figures: { metric: 'm', direction: 'min', baseline: 1, best: 1, bestId: 0, experiments: 1, kept: 0, crashes: 0, trainingHours: 0 } };
    n.send(m);
    n.send(m);
    await n.flush();
    expect(errors).toEqual([expect.stringContaining('HTTP 500')]);
    fail = false;
    n.send(m);
    await n.flush();
    fail = true;
    n.send(m);
    await n.flush();
    expect(errors).toHaveLength(2);
    expect(await waitUntil(() => r.got.length === 4, 5000)).toBe(true);
  });

  it('an ntfy URL gets the message as plain text with a Title header', () => {
    const m: WebhookMessage = { kind: 'new-best', title: 'New best val_bpb 0.98 → 0.97', text: 'line one\nline two', project: '/p', tag: 't', figures: { metric: 'val_bpb', direction: 'min', baseline: 1, best: 0.97, bestId: 3, experiments: 4, kept: 1, crashes: 0, trainingHours: 0.1 } };
    const ntfy = webhookRequest('https://ntfy.sh/my-runs', m);
    expect(ntfy.body).toBe('line one\nline two');
    expect(ntfy.headers).toMatchObject({ 'content-type': 'text/plain; charset=utf-8', title: 'New best val_bpb 0.98 -> 0.97' });
    const slack = JSON.parse(webhookRequest('https://hooks.slack.com/services/T/B/X', m).body) as { text: string };
    expect(slack.text).toBe('*New best val_bpb 0.98 → 0.97*\nline one\nline two');
  });

  it('the URL comes from the app settings: `autoresearch settings --webhook` sets it, and a CLI run and the app post to it', async () => {
    const r = await receiver();
    const data = tempDir('ar-data-');
    const env = { ...process.env, AUTORESEARCH_DATA_DIR: linkTestTrust(data) };
    // A bad URL is refused in one line and nothing is written.
    const bad = await runCli(['settings', '--webhook', 'ftp://example.org/x'], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/starts with https:\/\/ \(or http:\/\/\), not ftp:/)]);
    expect(existsSync(path.join(data, 'settings.json'))).toBe(false);

    const set = await runCli(['settings', '--webhook', r.url], { env });
    expect(set.code, set.stderr).toBe(0);
    // Only the host is ever printed: the path of a Slack or Discord webhook is its secret.
    expect(set.stdout).toMatch(/^Webhook set: http:\/\/127\.0\.0\.1:\d+\/…\n$/);
    expect(JSON.parse(readFileSync(path.join(data, 'settings.json'), 'utf8')).webhookUrl).toBe(r.url);
    const test = await runCli(['settings', '--test'], { env });
    expect(test.code, test.stderr).toBe(0);
    expect(r.got.length).toBe(1);

    const { dir } = scoredProject();
    const run = await runCli(['run', dir, '--tag', 'cli', '--max-experiments', '1'], { env });
    expect(run.code, run.stderr).toBe(0);
    const stop = r.got.map((g) => JSON.parse(g.body) as { kind: string; tag: string; project: string }).find((b) => b.kind === 'stop');
    expect(stop).toMatchObject({ tag: 'cli', project: dir });

    // The app (here in-process, as `serve` and the desktop host it) reads the same file in its data folder.
    const { studio } = await testStudio({ dataDir: data });
    try {
      const other = scoredProject();
      await studio.api.openProject({ dir: other.dir });
      await studio.api.startRun({ tag: 'app', maxExperiments: 1 });
      expect(await waitUntil(() => r.got.some((g) => g.body.includes('"kind":"stop"') && g.body.includes('"tag":"app"')), 120_000)).toBe(true);
    } finally {
      await studio.dispose();
    }
  });
});
