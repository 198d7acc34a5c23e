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
  it('mounts the root read-only first, then private /tmp, the writable paths, read-only overlays and hidden secrets', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ar-bwrap-'));
    const project = path.join(dir, 'project');
    const wt = path.join(project, '.autoresearch', 'worktrees', 'slot-0');
    const home = path.join(dir, 'home');
    mkdirSync(wt, { recursive: true });
    mkdirSync(path.join(project, 'data'));
    mkdirSync(path.join(project, '.git'));
    writeFileSync(path.join(wt, '.git'), 'gitdir: x\n');
    mkdirSync(path.join(home, '.ssh'), { recursive: true });
    mkdirSync(path.join(home, '.cache'), { recursive: true });
    mkdirSync(path.join(home, '.claude'), { recursive: true });
    writeFileSync(path.join(home, '.netrc'), 'machine x password y\n');
    symlinkSync(path.join(project, 'data'), path.join(wt, 'data'));
    const config = fixtureConfig({ files: { editable: ['train.py'], linked: ['data'] }, sandbox: { network: false } } as never);
    const args = bwrapArgs(commandSandbox(project, wt, config, { HOME: home }), ['/dev/nvidia0', '/dev/nvidiactl', '/dev/dri']);

    expect(args.slice(0, 3)).toEqual(['--ro-bind', '/', '/']);
    expect(args).toContain('--unshare-pid');
    expect(args).toContain('--unshare-net');
    expect(args).toContain('--die-with-parent');
    expect(pairs(args, '--dev-bind')).toEqual(['/dev/nvidia0', '/dev/nvidiactl', '/dev/dri']);
    expect(ours(pairs(args, '--bind'))).toEqual([wt, path.join(project, 'data'), path.join(home, '.cache')]);
    expect(ours(pairs(args, '--ro-bind')).filter((p) => p !== '/dev/null')).toEqual(['/', project, path.join(wt, '.git')]);
    const netrc = args.indexOf(path.join(home, '.netrc'));
    expect(args.slice(netrc - 2, netrc + 1)).toEqual(['--ro-bind', '/dev/null', path.join(home, '.netrc')]);
    expect(ours(pairs(args, '--tmpfs'))).toEqual(['/tmp', '/run', path.join(home, '.ssh'), path.join(home, '.claude')]);
    // /tmp is private before the worktree is bound (a project under /tmp stays reachable), secrets last.
    expect(args.indexOf('/tmp')).toBeLessThan(args.indexOf(wt));
    expect(args.lastIndexOf(path.join(wt, '.git'))).toBeGreaterThan(args.indexOf(wt));
    expect(args.indexOf(path.join(home, '.netrc'))).toBeGreaterThan(args.indexOf(path.join(home, '.cache')));

    // A command agent keeps its own login (~/.claude writable) and the network.
    const agent = bwrapArgs(commandSandbox(project, wt, config, { HOME: home }, 'agent'), []);
    expect(agent).not.toContain('--unshare-net');
    expect(pairs(agent, '--bind')).toContain(path.join(home, '.claude'));
    expect(pairs(agent, '--tmpfs')).not.toContain(path.join(home, '.claude'));
    expect(pairs(agent, '--tmpfs')).toContain(path.join(home, '.ssh'));
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
