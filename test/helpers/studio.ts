// A Studio as `serve` makes one, for tests that call the Api in-process: a fresh data folder, no Anthropic
// key (the demo's offline proposer), every pushed event collected.
import type { StudioEvent } from '../../src/shared/api.js';
import { createEnvSecretStore, createStudio, type Studio } from '../../src/core/studio/index.js';
import { REPO_ROOT, tempDir } from './project.js';
import { linkTestTrust } from './trust.js';

export async function testStudio(opts: { readonly env?: NodeJS.ProcessEnv; readonly dataDir?: string } = {}): Promise<{ studio: Studio; events: StudioEvent[] }> {
  const dataDir = opts.dataDir ?? tempDir('ar-data-');
  // Projects the test helpers trusted are trusted in this studio too.
  linkTestTrust(dataDir);
  const studio = await createStudio({
    app: { version: 'test', host: 'serve', platform: process.platform },
    dataDir,
    appRoot: REPO_ROOT,
    secrets: createEnvSecretStore({}),
    env: { ...process.env, ANTHROPIC_API_KEY: '', ...opts.env },
  });
  const events: StudioEvent[] = [];
  studio.onEvent((e) => events.push(e));
  return { studio, events };
}
