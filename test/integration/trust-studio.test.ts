// Trust in the app, through the studio's Api in-process (the same handlers both transports dispatch to): an
// untrusted project opens (reading only) but Start is refused in one line and nothing runs; trustProject takes
// only the hash that was shown; a command typed into Setup and saved is trusted by that save, while one written
// on disk outside the app is not; the demo copy is trusted.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Studio } from '../../src/core/studio/index.js';
import { ProjectConfigSchema } from '../../src/shared/config.js';
import { waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, git, makeRepo, tempDir, trainerStateDir } from '../helpers/project.js';
import { testStudio } from '../helpers/studio.js';

let studio: Studio | null = null;
afterEach(async () => {
  await studio?.dispose();
  studio = null;
  cleanupTempDirs();
});

const MARKING_TRAINER = `import { appendFileSync } from 'node:fs';
appendFileSync('state/ran', 'x\\n');
console.log('val_bpb: 1.0');
`;

function foreignProject(): { dir: string; marker: string; configFile: string } {
  const dir = makeRepo({ 'train.mjs': MARKING_TRAINER, 'program.md': '# program\n' });
  const marker = path.join(trainerStateDir(dir), 'ran');
  const config = ProjectConfigSchema.parse({
    run: { command: `"${process.execPath}" train.mjs` },
    files: { editable: ['train.mjs'], linked: ['state'] },
    metric: { name: 'val_bpb', direction: 'min' },
    budget: { seconds: 5, timeoutSeconds: 20, graceSeconds: 1 },
    acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 },
    // The trainer writes its linked state folder (linked inputs are read-only by default).
    sandbox: { readOnlyInputs: false },
  });
  const configFile = path.join(dir, '.autoresearch', 'config.json');
  mkdirSync(path.dirname(configFile), { recursive: true });
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'config');
  return { dir, marker, configFile };
}

describe('trust in the studio', () => {
  it('refuses Start of an untrusted project in one line; trusts only the hash shown; then Start runs it', async () => {
    const { dir, marker } = foreignProject();
    ({ studio } = await testStudio({ dataDir: tempDir('ar-trust-app-') }));
    await studio.api.openProject({ dir });
    const report = await studio.api.projectTrust({});
    expect(report.state).toBe('untrusted');
    expect(report.items.map((i) => i.key)).toContain('run.command');

    const refused = await studio.api.startRun({ maxExperiments: 1 }).then(() => null, (err: Error) => err.message);
    expect(refused).toMatch(/not trusted yet: review them in the trust panel/);
    expect(refused!.split('\n')).toHaveLength(1);
    expect(existsSync(marker)).toBe(false);

    const stale = await studio.api.trustProject({ hash: '0'.repeat(64) }).then(() => null, (err: Error) => err.message);
    expect(stale).toMatch(/changed since they were shown/);
    expect((await studio.api.projectTrust({})).state).toBe('untrusted');

    expect((await studio.api.trustProject({ hash: report.hash })).state).toBe('trusted');
    await studio.api.startRun({ maxExperiments: 1 });
    expect(await waitUntil(() => existsSync(marker), 60_000, 100)).toBe(true);
  });

  it('a command saved from Setup is trusted by the save; one written on disk outside the app is not', async () => {
    const { dir, configFile } = foreignProject();
    ({ studio } = await testStudio({ dataDir: tempDir('ar-trust-app-') }));
    await studio.api.openProject({ dir });
    await studio.api.trustProject({ hash: (await studio.api.projectTrust({})).hash });

    const typed = JSON.parse(readFileSync(configFile, 'utf8')) as { run: { command: string; setup: string | null } };
    typed.run.setup = 'true';
    const saved = await studio.api.saveConfig({ config: typed });
    expect(saved.ok).toBe(true);
    const afterSave = await studio.api.projectTrust({});
    expect(afterSave.state).toBe('trusted');
    expect(afterSave.items.find((i) => i.key === 'run.setup')?.text).toBe('true');

    const onDisk = JSON.parse(readFileSync(configFile, 'utf8')) as { run: { setup: string } };
    onDisk.run.setup = 'echo someone else';
    writeFileSync(configFile, JSON.stringify(onDisk, null, 2));
    const changed = await studio.api.projectTrust({});
    expect(changed.state).toBe('changed');
    expect(changed.items.filter((i) => i.changed).map((i) => i.key)).toEqual(['run.setup']);

    // Saving another field in Setup does not trust the command someone else wrote: it was not typed here.
    const other = { ...onDisk, budget: { ...(onDisk as unknown as { budget: object }).budget, seconds: 6 } };
    expect((await studio.api.saveConfig({ config: other })).ok).toBe(true);
    expect((await studio.api.projectTrust({})).state).toBe('changed');
  });

  it('the demo copy is trusted', async () => {
    ({ studio } = await testStudio({ dataDir: tempDir('ar-trust-app-') }));
    await studio.api.createDemo({});
    const report = await studio.api.projectTrust({});
    expect(report.items.length).toBeGreaterThan(0);
    expect(report.state).toBe('trusted');
  });
});
