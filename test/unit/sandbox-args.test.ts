// The bubblewrap command line: order matters (later mounts cover earlier ones), so it is checked here;
// what the mounts do to a real trainer is checked in test/integration/sandbox.test.ts.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bwrapArgs } from '../../src/core/exec/sandbox.js';
import { commandSandbox } from '../../src/core/loop/sandbox-spec.js';
import { fixtureConfig } from '../fixtures/make-run.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const pairs = (args: readonly string[], flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));
// The app's own home folder is covered too; these checks look at the test's folders and the fixed mounts.
const ours = (paths: readonly string[]) => paths.filter((p) => p.startsWith(dir) || ['/', '/tmp', '/run', '/dev/null'].includes(p));

describe('bwrapArgs', () => {
  it('mounts the root read-only, the slot\'s /tmp, an emptied home with the slot\'s caches, the project, read-only inputs and hidden secrets last', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ar-bwrap-'));
    const project = path.join(dir, 'project');
    const wt = path.join(project, '.autoresearch', 'worktrees', 'slot-0');
    const home = path.join(dir, 'home');
    const state = path.join(project, '.autoresearch', 'sandbox', 'T', 'slot-0');
    for (const d of [wt, path.join(project, 'data'), path.join(project, '.git'), path.join(home, '.ssh'), path.join(home, '.cache'), path.join(home, '.claude'), path.join(home, '.pyenv')]) mkdirSync(d, { recursive: true });
    for (const d of ['tmp', '.cache', '.triton']) mkdirSync(path.join(state, d), { recursive: true });
    writeFileSync(path.join(wt, '.git'), 'gitdir: x\n');
    writeFileSync(path.join(home, '.netrc'), 'machine x password y\n');
    symlinkSync(path.join(project, 'data'), path.join(wt, 'data'));
    const config = fixtureConfig({ files: { editable: ['train.py'], linked: ['data'] }, sandbox: { network: false } } as never);
    const args = bwrapArgs(commandSandbox(project, wt, config, { HOME: home }, 'trainer', state), ['/dev/nvidia0', '/dev/nvidiactl', '/dev/dri']);

    expect(args.slice(0, 3)).toEqual(['--ro-bind', '/', '/']);
    expect(args).toContain('--unshare-pid');
    expect(args).toContain('--unshare-net');
    expect(args).toContain('--die-with-parent');
    expect(pairs(args, '--dev-bind')).toEqual(['/dev/nvidia0', '/dev/nvidiactl', '/dev/dri']);
    // The slot's own /tmp, not an empty one; its caches over the emptied home's.
    const tmp = args.indexOf(path.join(state, 'tmp'));
    expect(args.slice(tmp - 1, tmp + 2)).toEqual(['--bind', path.join(state, 'tmp'), '/tmp']);
    expect(pairs(args, '--tmpfs')).not.toContain('/tmp');
    const emptied = args.indexOf(home);
    expect(args[emptied - 1]).toBe('--tmpfs');
    // (The app's own home folder gets the same; these checks look at the test's.)
    const cache = args.indexOf(path.join(home, '.cache')) - 1;
    expect(args.slice(cache - 1, cache + 2)).toEqual(['--bind', path.join(state, '.cache'), path.join(home, '.cache')]);
    expect(emptied).toBeLessThan(cache);
    // The linked input is read-only by default, the worktree writable, the toolchain readable.
    expect(ours(pairs(args, '--bind')).filter((p) => !p.startsWith(state))).toEqual([wt]);
    expect(ours(pairs(args, '--ro-bind')).filter((p) => p !== '/dev/null')).toEqual(['/', project, path.join(home, '.pyenv'), path.join(wt, '.git'), path.join(project, 'data')]);
    expect(args.indexOf(path.join(home, '.pyenv'))).toBeGreaterThan(emptied);
    const netrc = args.indexOf(path.join(home, '.netrc'));
    expect(args.slice(netrc - 2, netrc + 1)).toEqual(['--ro-bind', '/dev/null', path.join(home, '.netrc')]);
    // Other slots' state is hidden, after the project is bound.
    expect(args.lastIndexOf(path.join(project, '.autoresearch', 'sandbox'))).toBeGreaterThan(args.indexOf(project));
    expect(args.indexOf(path.join(home, '.netrc'))).toBeGreaterThan(args.lastIndexOf(path.join(project, 'data')));

    // A command agent keeps its own login (~/.claude writable) and the network; its /tmp and caches are empty.
    const agent = bwrapArgs(commandSandbox(project, wt, config, { HOME: home }, 'agent'), []);
    expect(agent).not.toContain('--unshare-net');
    expect(pairs(agent, '--bind')).toContain(path.join(home, '.claude'));
    expect(pairs(agent, '--bind')).not.toContain(path.join(state, '.cache'));
    expect(pairs(agent, '--tmpfs')).toContain('/tmp');
    expect(pairs(agent, '--tmpfs')).not.toContain(path.join(home, '.claude'));

    // writableCaches: false keeps no cache between commands; readOnlyInputs: false makes the input writable.
    const open = fixtureConfig({ files: { editable: ['train.py'], linked: ['data'] }, sandbox: { writableCaches: false, readOnlyInputs: false } } as never);
    const loose = bwrapArgs(commandSandbox(project, wt, open, { HOME: home }, 'trainer', state), []);
    expect(pairs(loose, '--bind')).not.toContain(path.join(state, '.cache'));
    expect(ours(pairs(loose, '--bind')).filter((p) => !p.startsWith(state))).toEqual([wt, path.join(project, 'data')]);
  });

  it('empties a hidden folder that holds the project first, then binds the project back over it', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ar-bwrap-'));
    const home = path.join(dir, 'home');
    const studio = path.join(home, '.autoresearch-studio');
    const project = path.join(studio, 'demo');
    const wt = path.join(project, '.autoresearch', 'worktrees', 'slot-0');
    mkdirSync(wt, { recursive: true });
    mkdirSync(path.join(home, '.ssh'), { recursive: true });
    mkdirSync(path.join(studio, 'gpu-leases'), { recursive: true });
    writeFileSync(path.join(wt, '.git'), 'gitdir: x\n');
    const config = fixtureConfig({ files: { editable: ['train.py'], linked: [] } } as never);
    const args = bwrapArgs(commandSandbox(project, wt, config, { HOME: home }), []);
    const emptied = args.indexOf(studio);
    expect(args[emptied - 1]).toBe('--tmpfs');
    // Emptied before the project (read-only) and the worktree (writable) are bound back on top of it.
    expect(emptied).toBeLessThan(args.indexOf(project));
    expect(emptied).toBeLessThan(args.indexOf(wt));
    // A secret beside it is still hidden, after every bind.
    expect(args.indexOf(path.join(home, '.ssh'))).toBeGreaterThan(args.lastIndexOf(path.join(wt, '.git')));
  });
});
