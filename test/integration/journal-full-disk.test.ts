// A full disk under the journal: the run stops at once with one line that names the disk and the journal,
// exits non-zero, prints nothing as done that the journal does not hold, and after space is freed `run --tag`
// resumes with every printed keep on the branch. The project's runs folder is a real 2 MB tmpfs that the test
// fills with dd mid-run (mounting needs root: the test is skipped, saying so, where mount is refused).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecord } from '../../src/core/journal/read.js';
import { runPaths } from '../../src/core/project/paths.js';
import { buildCli, runCli, spawnCli } from '../helpers/cli.js';
import { waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';

beforeAll(buildCli);

const mounts: string[] = [];
afterEach(() => {
  for (const m of mounts.splice(0)) spawnSync('umount', ['-l', m]);
  cleanupTempDirs();
});

/**
 * The scored project (keeps come when LEARNING_RATE moves toward 0.08), its runs folder (journals, logs,
 * results) on a 2 MB tmpfs of its own; or the reason there is none here.
 */
function projectWithSmallDisk(): { project: string; disk: string } | { skip: string } {
  const { dir: project } = scoredProject();
  const disk = path.join(project, '.autoresearch', 'runs');
  mkdirSync(disk, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', disk], { encoding: 'utf8' });
  if (r.status !== 0) return { skip: `cannot mount a tmpfs here (${(r.stderr || r.error?.message || 'mount failed').trim()}); it needs root` };
  mounts.push(disk);
  return { project, disk };
}

/** Fill the disk to the last byte (dd stops at ENOSPC, which is the point). */
const fill = (dir: string) => spawnSync('dd', ['if=/dev/zero', `of=${path.join(dir, 'filler')}`, 'bs=4k'], { stdio: 'ignore' });

const keepsPrinted = (stdout: string) => [...stdout.matchAll(/^\s+#(\d+)\s+keep\b/gm)].map((m) => Number(m[1]));
const printedIds = (stdout: string) => [...stdout.matchAll(/^\s+#(\d+)\s+\w+/gm)].map((m) => Number(m[1]));

const journalEvents = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as { type: string; experiment?: { id: number; status: string; kind: string } }];
          } catch {
            return [];
          }
        })
    : [];

describe('a full disk under the journal', () => {
  it('stops the run with one line naming the disk and the journal; the resume keeps every printed keep', async (ctx) => {
    const made = projectWithSmallDisk();
    if ('skip' in made) return ctx.skip(made.skip);
    const { project, disk } = made;
    const journal = runPaths(project, 'full').journal;

    const child = spawnCli(['run', project, '--tag', 'full', '--max-experiments', '200']);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const closed = new Promise<number | null>((r) => child.once('close', r));
    // Mid-run: once a candidate has been kept, the disk fills up.
    const keptOne = () => journalEvents(journal).some((e) => e.type === 'experiment-end' && e.experiment!.kind === 'candidate' && e.experiment!.status === 'keep');
    expect(await waitUntil(keptOne, 60_000)).toBe(true);
    fill(disk);
    const code = await closed;

    expect(code).not.toBe(0);
    const disks = stderr.split('\n').filter((l) => /disk is full/.test(l));
    expect(disks, `${stdout}\n${stderr}`).toEqual([`Cannot write the run's journal ${journal}: the disk is full (ENOSPC). The run stopped; everything recorded before is kept. Free space (or fix the disk), then resume the run with the same --tag.`]);
    expect(stderr).not.toMatch(/^\s+at /m);
    // It stopped at once, not after a string of experiments that exist only in memory.
    const ended = journalEvents(journal).filter((e) => e.type === 'experiment-end');
    expect(printedIds(stdout).length).toBeLessThanOrEqual(ended.length);
    // Nothing was printed as done that the journal does not hold, as printed.
    for (const id of printedIds(stdout)) expect(ended.some((e) => e.experiment!.id === id)).toBe(true);
    const kept = keepsPrinted(stdout);
    expect(kept.filter((id) => id > 0).length).toBeGreaterThan(0);
    for (const id of kept) expect(ended.find((e) => e.experiment!.id === id)!.experiment!.status).toBe('keep');

    rmSync(path.join(disk, 'filler'));
    const again = await runCli(['run', project, '--tag', 'full', '--max-experiments', String(ended.length + 1)]);
    expect(again.stderr).not.toMatch(/^\s+at /m);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Resuming run full/);
    const rec = await readRunRecord(project, 'full');
    const branch = git(project, 'rev-parse', 'autoresearch/full').trim();
    for (const id of kept) {
      const e = rec.experiments.get(id)!;
      expect(e.status).toBe('keep');
      // On the branch: the kept commit is the tip or one of its ancestors.
      expect(spawnSync('git', ['merge-base', '--is-ancestor', e.commit!, branch], { cwd: project }).status).toBe(0);
    }
  }, 180_000);

  it('a new run on a full disk refuses with one line and leaves no branch; with space it starts', async (ctx) => {
    const made = projectWithSmallDisk();
    if ('skip' in made) return ctx.skip(made.skip);
    const { project, disk } = made;
    fill(disk);
    const r = await runCli(['run', project, '--tag', 'new', '--max-experiments', '1']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).toMatch(/the disk is full \(ENOSPC\)/);
    expect(r.stderr.split('\n').filter((l) => /ENOSPC/.test(l))).toHaveLength(1);
    expect(git(project, 'branch', '--list', 'autoresearch/new').trim()).toBe('');

    rmSync(path.join(disk, 'filler'));
    const again = await runCli(['run', project, '--tag', 'new', '--max-experiments', '1']);
    expect(again.stderr).not.toMatch(/^\s+at /m);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Run new on branch autoresearch\/new/);
    expect((await readRunRecord(project, 'new')).stopReason).toBe('max-experiments');
  }, 120_000);
});
