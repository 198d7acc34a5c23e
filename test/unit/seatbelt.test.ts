// The macOS sandbox's Seatbelt profile. sandbox-exec does not exist here, so the profile is read back by a small
// evaluator of its file rules with Seatbelt's order (the last rule that matches an operation and a path decides)
// and asked what a trainer could do: write its worktree, write the project's .git, read ~/.ssh. The profile
// running on a Mac is not verified by this suite (docs/ARCHITECTURE.md, "Threat model", says so).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandboxedArgv } from '../../src/core/exec/sandbox.js';
import { seatbeltProfile, type SeatbeltSpec } from '../../src/core/exec/seatbelt.js';
import { commandSandbox, slotSandboxState } from '../../src/core/loop/sandbox-spec.js';
import { fixtureConfig } from '../fixtures/make-run.js';

type Sexp = string | { str: string } | Sexp[];

/** Seatbelt's Scheme syntax, enough for the profile: lists, symbols, "strings" with \\ escapes, #"raw strings". */
function parse(text: string): Sexp[] {
  let i = 0;
  const read = (): Sexp => {
    while (/\s/.test(text[i]!)) i++;
    if (text[i] === ';') {
      while (text[i] !== '\n') i++;
      return read();
    }
    if (text[i] === '(') {
      i++;
      const list: Sexp[] = [];
      for (;;) {
        while (/\s/.test(text[i]!) || text[i] === ';') {
          if (text[i] === ';') while (text[i] !== '\n') i++;
          else i++;
        }
        if (text[i] === ')') return i++, list;
        if (i >= text.length) throw new Error('unclosed list');
        list.push(read());
      }
    }
    if (text[i] === '"' || (text[i] === '#' && text[i + 1] === '"')) {
      const raw = text[i] === '#';
      i += raw ? 2 : 1;
      let s = '';
      while (text[i] !== '"') {
        if (i >= text.length) throw new Error('unclosed string');
        if (!raw && text[i] === '\\') i++;
        s += text[i++];
      }
      i++;
      return { str: s };
    }
    const start = i;
    while (i < text.length && !/[\s()]/.test(text[i]!)) i++;
    return text.slice(start, i);
  };
  const out: Sexp[] = [];
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) return out;
    if (text[i] === ';') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    out.push(read());
  }
}

/** What the profile decides for a file operation (`file-read-data`, `file-write-create`) on a path. */
function decide(profile: string, op: string, file: string): 'allow' | 'deny' {
  let verdict: 'allow' | 'deny' = 'deny';
  for (const rule of parse(profile)) {
    if (!Array.isArray(rule) || (rule[0] !== 'allow' && rule[0] !== 'deny')) continue;
    const ops = rule.slice(1).filter((x): x is string => typeof x === 'string');
    const filters = rule.slice(1).filter((x): x is Sexp[] => Array.isArray(x));
    const opMatches = ops.some((o) => o === 'default' || o === op || (o.endsWith('*') && op.startsWith(o.slice(0, -1))));
    if (!opMatches) continue;
    const matches = (f: Sexp[]) => {
      const arg = (f[1] as { str: string }).str;
      if (f[0] === 'subpath') return file === arg || file.startsWith(arg.endsWith('/') ? arg : `${arg}/`);
      if (f[0] === 'literal') return file === arg;
      if (f[0] === 'regex') return new RegExp(arg).test(file);
      throw new Error(`a file rule with a filter this evaluator does not know: ${String(f[0])}`);
    };
    if (filters.length === 0 || filters.some(matches)) verdict = rule[0];
  }
  return verdict;
}

let dir = '';
let project = '';
let wt = '';
let home = '';
let slotTmp = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ar-seatbelt-'));
  project = path.join(dir, 'project');
  wt = path.join(project, '.autoresearch', 'worktrees', 'slot-0');
  home = path.join(dir, 'home');
  slotTmp = path.join(dir, 'slot-tmp');
  for (const d of [wt, path.join(project, 'data'), path.join(project, '.git'), path.join(home, '.ssh'), path.join(home, '.cache', 'huggingface'), path.join(home, '.config', 'aider'), slotTmp]) {
    mkdirSync(d, { recursive: true });
  }
  writeFileSync(path.join(wt, '.git'), 'gitdir: x\n');
  writeFileSync(path.join(home, '.ssh', 'id_rsa'), 'KEY\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const trainer = (sandbox: Record<string, unknown> = {}): SeatbeltSpec => ({
  // A slot's state as a run makes it (its own caches, which bwrap binds over ~/.cache's folders).
  ...commandSandbox(project, wt, fixtureConfig({ files: { editable: ['train.py'], linked: ['data'] }, sandbox } as never), { HOME: home }, 'trainer', slotSandboxState(project, 'tag', 0)),
  tmp: slotTmp,
});
const profileOf = (spec: SeatbeltSpec) => seatbeltProfile(spec, { HOME: home });
const canWrite = (p: string, file: string) => decide(p, 'file-write-create', file) === 'allow';
const canRead = (p: string, file: string) => decide(p, 'file-read-data', file) === 'allow';

describe('seatbeltProfile', () => {
  it('lets a trainer write its worktree, its slot tmp and the caches, and nothing else', () => {
    const p = profileOf(trainer({ network: false, readOnlyInputs: false }));
    expect(canWrite(p, path.join(wt, 'train.py'))).toBe(true);
    expect(canWrite(p, path.join(wt, 'model', 'net.py'))).toBe(true);
    expect(canWrite(p, path.join(slotTmp, 'torchinductor', 'x.py'))).toBe(true);
    expect(canWrite(p, path.join(home, '.cache', 'uv', 'x'))).toBe(true);
    expect(canWrite(p, path.join(project, 'data', 'shard.bin'))).toBe(true);
    expect(canWrite(p, '/dev/null')).toBe(true);
    // Outside: the user's checkout, the project's .git, the home folder, the system.
    expect(canWrite(p, path.join(project, 'train.py'))).toBe(false);
    expect(canWrite(p, path.join(project, '.git', 'config'))).toBe(false);
    expect(canWrite(p, path.join(home, '.bashrc'))).toBe(false);
    expect(canWrite(p, path.join(home, 'Library', 'LaunchAgents', 'evil.plist'))).toBe(false);
    expect(canWrite(p, '/usr/local/lib/python3.12/site-packages/evil.pth')).toBe(false);
    expect(canWrite(p, path.join(dir, 'outside.txt'))).toBe(false);
  });

  it('makes ~/Library/Caches writable only where the caches are (sandbox.writableCaches)', () => {
    mkdirSync(path.join(home, 'Library', 'Caches'), { recursive: true });
    const pip = path.join(home, 'Library', 'Caches', 'pip', 'wheel.whl');
    expect(canWrite(profileOf(trainer({ writableCaches: true })), pip)).toBe(true);
    const closed = profileOf(trainer({ writableCaches: false }));
    expect(canWrite(closed, pip)).toBe(false);
    expect(canWrite(closed, path.join(home, '.cache', 'uv', 'x'))).toBe(false);
  });

  it('keeps the worktree\'s .git, any nested .git (any case) and read-only linked inputs unwritable', () => {
    const p = profileOf(trainer({ readOnlyInputs: true }));
    expect(canWrite(p, path.join(wt, '.git'))).toBe(false);
    expect(canWrite(p, path.join(wt, 'pkg', '.git', 'config'))).toBe(false);
    expect(canWrite(p, path.join(wt, 'pkg', '.GIT', 'config'))).toBe(false);
    expect(canWrite(p, path.join(wt, 'pkg', '.Git'))).toBe(false);
    expect(canWrite(p, path.join(slotTmp, 'repo', '.git', 'HEAD'))).toBe(false);
    expect(canWrite(p, path.join(wt, 'pkg', '.gitattributes'))).toBe(true);
    expect(canWrite(p, path.join(wt, 'pkg', 'x.git'))).toBe(true);
    expect(canWrite(p, path.join(project, 'data', 'shard.bin'))).toBe(false);
    expect(canRead(p, path.join(project, 'data', 'shard.bin'))).toBe(true);
    // A read-only overlay inside a writable folder wins over the folder.
    const overlay = profileOf({ writable: [wt], readOnly: [path.join(wt, 'prepare.py')], network: true, tmp: slotTmp });
    expect(canWrite(overlay, path.join(wt, 'prepare.py'))).toBe(false);
    expect(canWrite(overlay, path.join(wt, 'train.py'))).toBe(true);
  });

  it('denies reads of ~/.ssh, shell start-up files and histories, ~/.config, keychains and the Hugging Face token', () => {
    const p = profileOf(trainer());
    for (const secret of ['.ssh/id_rsa', '.ssh', '.aws/credentials', '.bashrc', '.zshrc', '.zsh_history', '.bash_history', '.config/gh/hosts.yml', 'Library/Keychains/login.keychain-db', '.cache/huggingface/token', '.netrc']) {
      expect(canRead(p, path.join(home, secret)), secret).toBe(false);
    }
    expect(canRead(p, '/Library/Keychains/System.keychain')).toBe(false);
    // A token inside the writable cache cannot be replaced either, while the rest of the cache is writable.
    expect(canWrite(p, path.join(home, '.cache', 'huggingface', 'token'))).toBe(false);
    expect(canWrite(p, path.join(home, '.cache', 'huggingface', 'hub', 'model.bin'))).toBe(true);
    expect(canRead(p, path.join(wt, 'train.py'))).toBe(true);
    expect(canRead(p, '/usr/lib/libSystem.B.dylib')).toBe(true);
  });

  it('lets an agent CLI read and write its own settings under ~/.config and nothing else there', () => {
    const agent = { ...commandSandbox(project, wt, fixtureConfig({ files: { editable: ['train.py'] } }), { HOME: home }, 'agent'), tmp: slotTmp };
    const p = profileOf(agent);
    expect(canRead(p, path.join(home, '.config', 'aider', 'conf.yml'))).toBe(true);
    expect(canWrite(p, path.join(home, '.config', 'aider', 'conf.yml'))).toBe(true);
    expect(canRead(p, path.join(home, '.config', 'gh', 'hosts.yml'))).toBe(false);
    expect(canRead(p, path.join(home, '.ssh', 'id_rsa'))).toBe(false);
  });

  it("hides the runs from an agent CLI when there is a held-out check, whatever is written there later, but this run's training logs and prompt", () => {
    const config = fixtureConfig({ files: { editable: ['train.py'] }, heldout: { command: 'true', metric: { name: 'test_loss', direction: 'min' }, timeoutSeconds: 60 } });
    const p = profileOf({ ...commandSandbox(project, wt, config, { HOME: home }, 'agent', null, 'mar5'), tmp: slotTmp });
    const runs = path.join(project, '.autoresearch', 'runs');
    // Paths that need not exist yet: Seatbelt matches them when they are read.
    expect(canRead(p, path.join(runs, 'mar5', 'heldout', '0.log'))).toBe(false);
    expect(canRead(p, path.join(runs, 'mar5', 'fold-snapshot.jsonl'))).toBe(false);
    expect(canRead(p, path.join(runs, 'mar5', 'journal.jsonl'))).toBe(false);
    expect(canRead(p, path.join(runs, 'mar4', 'logs', '3.log'))).toBe(false);
    expect(canRead(p, path.join(runs, 'mar5', 'logs', '3.log'))).toBe(true);
    expect(canWrite(p, path.join(runs, 'mar5', 'logs', '3.log'))).toBe(false);
    expect(canRead(p, path.join(runs, 'mar5', 'scratch', 'prompt-3.md'))).toBe(true);
    // Without a held-out check nothing there is secret from the agent.
    const plain = profileOf({ ...commandSandbox(project, wt, fixtureConfig({ files: { editable: ['train.py'] } }), { HOME: home }, 'agent', null, 'mar5'), tmp: slotTmp });
    expect(canRead(plain, path.join(runs, 'mar5', 'journal.jsonl'))).toBe(true);
  });

  it('keeps a project inside a hidden folder readable (the demo under ~/.autoresearch-studio) and the rest hidden', () => {
    const demo = path.join(home, '.autoresearch-studio', 'demo');
    const demoWt = path.join(demo, '.autoresearch', 'worktrees', 'slot-0');
    mkdirSync(demoWt, { recursive: true });
    mkdirSync(path.join(home, '.autoresearch-studio', 'settings'), { recursive: true });
    const spec = { ...commandSandbox(demo, demoWt, fixtureConfig({ files: { editable: ['train.py'] } }), { HOME: home }), tmp: slotTmp };
    const p = profileOf(spec);
    expect(canRead(p, path.join(demo, 'prepare.py'))).toBe(true);
    expect(canWrite(p, path.join(demoWt, 'train.py'))).toBe(true);
    expect(canRead(p, path.join(home, '.autoresearch-studio', 'settings', 'keys.json'))).toBe(false);
    expect(canRead(p, path.join(home, '.ssh', 'id_rsa'))).toBe(false);
  });

  it('network off denies network* but Unix sockets in its own folders; network on leaves the network alone', () => {
    const off = profileOf(trainer({ network: false }));
    expect(off).toMatch(/^\(deny network\*\)$/m);
    expect(off).toContain(`(local unix-socket (subpath "${slotTmp}"))`);
    expect(off).not.toContain('(remote ip');
    const on = profileOf(trainer({ network: true }));
    expect(on).not.toMatch(/network/);
  });

  it('escapes quotes and backslashes in paths and refuses a path with a newline', () => {
    const odd = path.join(dir, 'a "quoted" \\ folder');
    mkdirSync(odd);
    const p = profileOf({ writable: [odd], network: true, tmp: slotTmp });
    expect(p).toContain(`(subpath "${dir}/a \\"quoted\\" \\\\ folder")`);
    // Read back, the string is the path itself: the worktree is writable, its neighbour is not.
    expect(canWrite(p, path.join(odd, 'train.py'))).toBe(true);
    expect(canWrite(p, path.join(dir, 'a '))).toBe(false);
    expect(canWrite(p, path.join(odd, 'sub', '.git', 'config'))).toBe(false);
    const nl = path.join(dir, 'line\nbreak');
    mkdirSync(nl);
    expect(() => profileOf({ writable: [nl], network: true, tmp: slotTmp })).toThrow(/control character.*Rename the folder/);
  });
});

describe('sandboxedArgv', () => {
  it('runs the command under sandbox-exec with the profile on macOS and under bwrap elsewhere', () => {
    const spec = trainer();
    const [mac, macArgs] = sandboxedArgv({ bwrap: '/usr/bin/sandbox-exec', spec }, wt, 'python train.py', 'darwin');
    expect(mac).toBe('/usr/bin/sandbox-exec');
    expect(macArgs[0]).toBe('-p');
    expect(macArgs[1]).toMatch(/^\(version 1\)/);
    expect(macArgs.slice(2)).toEqual(['/bin/sh', '-c', 'python train.py']);
    const [linux, linuxArgs] = sandboxedArgv({ bwrap: '/usr/bin/bwrap', spec }, wt, 'python train.py', 'linux');
    expect(linux).toBe('/usr/bin/bwrap');
    expect(linuxArgs.slice(-5)).toEqual(['--chdir', wt, '/bin/sh', '-c', 'python train.py']);
    expect(linuxArgs).toContain('--unshare-pid');
  });
});
