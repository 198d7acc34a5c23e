// `npm start` builds again when a source is newer than the build (scripts/build-fresh.mjs): after a `git pull`
// without `npm ci`, out/ holds the older app. Real files in a temp folder, their times set.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { changedSinceBuild } from '../../scripts/build-fresh.mjs';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

const put = (rel: string, at: number) => {
  const p = path.join(root, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, rel);
  utimesSync(p, at, at);
};

describe('whether the build is older than its sources', () => {
  it('names the first source newer than the last build, and nothing when the build is newer', () => {
    root = mkdtempSync(path.join(tmpdir(), 'build-fresh-'));
    const inputs = ['src', 'package.json'];
    const outputs = ['out/main/index.js', 'out/cli/autoresearch.mjs'];
    put('src/core/loop/run.ts', 1000);
    put('package.json', 1000);
    // The last build ended at 2100; a file it did not need to rewrite keeps an older time (the CLI's entry).
    put('out/main/index.js', 2100);
    put('out/cli/autoresearch.mjs', 500);
    expect(changedSinceBuild(root, inputs, outputs)).toBeNull();
    put('src/core/loop/run.ts', 2050);
    expect(changedSinceBuild(root, inputs, outputs)).toBeNull();
    // A pull changes one source after that build: built again.
    put('src/core/loop/run.ts', 2200);
    expect(changedSinceBuild(root, inputs, outputs)).toBe(path.join('src', 'core', 'loop', 'run.ts'));
    put('src/core/loop/run.ts', 1000);
    put('package.json', 3000);
    expect(changedSinceBuild(root, inputs, outputs)).toBe('package.json');
    // No build yet: nothing to compare with (the caller builds because out/ is missing).
    rmSync(path.join(root, 'out', 'main', 'index.js'));
    expect(changedSinceBuild(root, inputs, outputs)).toBeNull();
  });
});
