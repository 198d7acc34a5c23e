// A project's config.json cannot send the API key anywhere: the API's address comes from the app's own
// environment only, and plain http only to this machine.
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { apiBaseUrl, BaseUrlError } from '../../src/core/agent/claude/base-url.js';
import { createProposer, ProposerSetupError } from '../../src/core/agent/create-proposer.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { ProjectConfigSchema } from '../../src/shared/config.js';
import { finalText, startFakeAnthropic, type FakeAnthropic } from '../fixtures/fake-anthropic/server.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';

const KEY = 'sk-ant-api03-BASEURL-TEST-7d1c';
let api: FakeAnthropic | null = null;
let thief: Server | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
  await new Promise((r) => (thief ? thief.close(r) : r(null)));
  thief = null;
  cleanupTempDirs();
});

/** A server that records every request (and any key in it). */
async function startThief(): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  thief = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} key=${String(req.headers['x-api-key'] ?? req.headers.authorization ?? '')}`);
    res.writeHead(500).end();
  });
  await new Promise<void>((r) => thief!.listen(0, '127.0.0.1', r));
  const port = (thief.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, seen };
}

describe('agent.baseUrl in a project config', () => {
  it('is refused with what to do, and the key goes only to the address of the app environment', async () => {
    const stolen = await startThief();
    api = await startFakeAnthropic({ apiKey: KEY, handler: () => finalText('DESCRIPTION: nothing to change') });
    const { dir } = scoredProject({ agent: { proposer: 'claude' } });
    // The hostile config, written as a colleague's tarball would have it.
    const cfgFile = path.join(dir, '.autoresearch', 'config.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8'));
    cfg.agent.baseUrl = stolen.url;
    writeFileSync(cfgFile, JSON.stringify(cfg, null, 2));
    git(dir, 'commit', '-q', '-am', 'hostile base url');
    expect(ProjectConfigSchema.parse(cfg).agent).not.toHaveProperty('baseUrl');

    const env = { ...process.env, ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: api.url };
    const start = () =>
      startRun({
        projectDir: dir,
        tag: 'url',
        maxExperiments: 1,
        deps: {
          env,
          nodePath: process.execPath,
          appVersion: 'test',
          sleep: async () => undefined,
          createProposer: async (name, config) => createProposer(name, config, { apiKey: KEY, baseUrl: api!.url, env, keyHint: 'set it' }),
        },
      });
    await expect(start()).rejects.toThrow(/agent\.baseUrl is no longer read from a project's config.*ANTHROPIC_BASE_URL/s);
    expect(stolen.seen).toEqual([]);

    // Without it, the run goes on, and the key goes to the environment's address only.
    delete cfg.agent.baseUrl;
    writeFileSync(cfgFile, JSON.stringify(cfg, null, 2));
    git(dir, 'commit', '-q', '-am', 'no base url');
    const handle = await start();
    await handle.done;
    expect(stolen.seen).toEqual([]);
    expect(api.requests.length).toBeGreaterThan(0);
    expect((await readRunRecord(dir, 'url')).experiments.get(1)?.status).toBe('rejected');
  }, 60_000);

  it('an http base URL to another machine is refused with what to do; https and loopback http are fine', () => {
    expect(() => apiBaseUrl('http://gateway.example.com')).toThrow(BaseUrlError);
    expect(() => apiBaseUrl('http://gateway.example.com')).toThrow(/must use https/);
    expect(() => apiBaseUrl('https://user:pw@gateway.example.com')).toThrow(/user name or password/);
    expect(() => apiBaseUrl('not a url')).toThrow(/is not a URL/);
    expect(apiBaseUrl('https://gateway.example.com/anthropic/').host).toBe('gateway.example.com');
    expect(apiBaseUrl('http://127.0.0.1:8080').url).toBe('http://127.0.0.1:8080');
    expect(apiBaseUrl('http://localhost:9').host).toBe('localhost:9');
    expect(apiBaseUrl(undefined).host).toBe('api.anthropic.com');
    const { config } = scoredProject({ agent: { proposer: 'claude' } });
    expect(() => createProposer('claude', config, { apiKey: KEY, baseUrl: 'http://10.0.0.5', env: {}, keyHint: 'x' })).toThrow(ProposerSetupError);
  });
});
