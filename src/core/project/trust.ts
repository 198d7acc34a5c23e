// Trust before anything runs (VS Code's Workspace Trust, direnv's `allow`): a project folder may come from
// anyone, and its config names commands the app would run (the trainer, setup, guard, a command agent, slots'
// hosts and environment) while its .git/config can name programs git would run. The user sees that list and
// approves it once; the approval is the SHA-256 of the exact text, so any change needs approval again.
// The record lives in the APP's data folder (beside settings.json), never in the project, one file per project
// named by a hash of its real path, so parallel processes never write the same file for different projects.
// The reads are synchronous (a few small files and one `git config --file` per config file, milliseconds): the
// test helpers that make projects are synchronous, and they must trust through this very code.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TrustItem, TrustReport } from '../../shared/api-trust.js';
import { HOOK_NAMES, HOOK_WHAT } from '../../shared/config-hooks.js';
import { gitEnv } from '../git/git-env.js';
import { projectPaths } from './paths.js';

export const TRUST_DIR = 'trust';

/** A run, audit or approval refused because the project is not trusted; its message is one line saying how. */
export class UntrustedProjectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UntrustedProjectError';
  }
}

interface TrustRecord {
  readonly dir: string;
  readonly hash: string;
  readonly approvedAt: string;
  readonly items: readonly { readonly key: string; readonly text: string }[];
}

type Item = Omit<TrustItem, 'changed'>;

const json = (v: unknown) => JSON.stringify(v);

/** The config's parts that make the app run something, from the file as written (defaults run nothing new). */
function configItems(raw: Record<string, unknown>): Item[] {
  const items: Item[] = [];
  const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const str = (key: string, value: unknown, what: string) => {
    if (value === undefined || value === null || value === '') return;
    items.push({ key, what, text: typeof value === 'string' ? value : json(value), switchedOff: false });
  };
  const run = obj(raw.run);
  str('run.command', run.command, 'the command that runs each experiment');
  str('run.setup', run.setup, 'runs once at the start of each run');
  if (run.env !== undefined && json(run.env) !== '{}') str('run.env', run.env, 'environment given to every command');
  str('acceptance.guardCommand', obj(raw.acceptance).guardCommand, 'must pass before a change is kept');
  str('heldout.command', obj(raw.heldout).command, 'the held-out check, run on kept changes');
  // Hooks are commands the project makes the app run: each one's command is approved like the trainer's.
  const hooks = obj(raw.hooks);
  for (const name of HOOK_NAMES) {
    const hook = hooks[name];
    // The command is what runs; a hook written as something else (not an object) is listed whole.
    str(`hooks.${name}`, hook && typeof hook === 'object' && !Array.isArray(hook) ? obj(hook).command : hook, `hook: ${HOOK_WHAT[name]}`);
  }
  const agent = obj(raw.agent);
  str('agent.proposer', agent.proposer, 'which agent proposes changes (claude and openai-compatible are given an API key)');
  str('agent.command', agent.command, 'the agent program the command proposer runs');
  if (Array.isArray(raw.slots)) {
    raw.slots.forEach((slot, i) => {
      const s = obj(slot);
      if (s.env !== undefined && json(s.env) !== '{}') str(`slots[${i}].env`, s.env, `environment of slot ${i + 1}`);
      if (s.executor !== undefined) str(`slots[${i}].executor`, s.executor, `where slot ${i + 1} runs (this machine, SSH host or Slurm)`);
    });
  } else if (raw.slots !== undefined) str('slots', raw.slots, 'where experiments run');
  if (raw.sandbox !== undefined) str('sandbox', raw.sandbox, 'how the sandbox narrows the commands');
  return items;
}

// Config that makes git run a program. The app's own git commands switch each of these off (git/git-env.ts,
// git/program-config.ts); they are listed anyway because git runs them for the user in that folder, and a
// change to them is a change to what was approved.
const GIT_PROGRAM_KEY =
  /^(filter\..+\.(clean|smudge|process)|diff\..+\.(textconv|command)|diff\.external|merge\..+\.driver|gpg\..+|(commit|tag|push)\.gpgsign|core\.(pager|editor|askpass|sshcommand|hookspath|fsmonitor|gitproxy)|pager\..+|sequence\.editor|credential\..+|include\.path|includeif\..+\.path)$/;

/** The git folder holding `dir` and its common folder, found by reading files only (no git runs). */
function findGitDirs(dir: string): { gitDir: string; common: string } | null {
  for (let d = dir; ; d = path.dirname(d)) {
    const dotGit = path.join(d, '.git');
    const st = lstatSync(dotGit, { throwIfNoEntry: false });
    if (st?.isDirectory()) return { gitDir: dotGit, common: dotGit };
    if (st?.isFile()) {
      const m = /^gitdir: (.+)$/m.exec(readText(dotGit) ?? '');
      if (!m) return null;
      const gitDir = path.resolve(d, m[1]!.trim());
      const commonText = (readText(path.join(gitDir, 'commondir')) ?? '').trim();
      return { gitDir, common: commonText ? path.resolve(gitDir, commonText) : gitDir };
    }
    if (path.dirname(d) === d) return null;
  }
}

/** `git config --file F --list` reads that one file (includes are not followed with --file) and runs nothing. */
function listConfigFile(file: string): string {
  try {
    return execFileSync('git', ['config', '--file', file, '--null', '--list'], { env: gitEnv([]), maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  } catch {
    return '';
  }
}

/** A file's text, or null when it cannot be read (absent, a folder). */
function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function gitItems(dir: string): Item[] {
  const place = findGitDirs(dir);
  if (!place) return [];
  const items: Item[] = [];
  for (const file of [path.join(place.common, 'config'), path.join(place.gitDir, 'config.worktree')]) {
    const whole = readText(file);
    if (whole === null) continue;
    const text = listConfigFile(file);
    // A config git cannot parse is listed whole: git (and the app's git) would refuse it, and it may hide anything.
    if (!text && whole.trim()) {
      items.push({ key: path.basename(file), what: 'a git config file git cannot read', text: whole, switchedOff: true });
      continue;
    }
    for (const entry of text.split('\0')) {
      const nl = entry.indexOf('\n');
      const key = nl < 0 ? entry : entry.slice(0, nl);
      if (!GIT_PROGRAM_KEY.test(key.toLowerCase())) continue;
      items.push({ key, what: 'git config that makes git run a program', text: nl < 0 ? '' : entry.slice(nl + 1), switchedOff: true });
    }
  }
  return items;
}

/** What the project would make the app (or git) run: the config's commands and git's program config. */
export function trustItems(dir: string): Item[] {
  const file = projectPaths(dir).config;
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  let items: Item[] = [];
  if (text !== null) {
    try {
      items = configItems(JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>);
    } catch {
      // Not JSON: nothing can run from it, but what it says is approved as a whole if the user wants.
      items = [{ key: 'config.json', what: 'the config file (not valid JSON)', text, switchedOff: false }];
    }
  }
  return [...items, ...gitItems(dir)];
}

export function hashItems(items: readonly { key: string; text: string }[]): string {
  return createHash('sha256').update(json(items.map((i) => [i.key, i.text]))).digest('hex');
}

const recordFile = (dataDir: string, realDir: string) => path.join(dataDir, TRUST_DIR, `${createHash('sha256').update(realDir).digest('hex').slice(0, 32)}.json`);

function readRecord(dataDir: string, realDir: string): TrustRecord | null {
  const text = readText(recordFile(dataDir, realDir));
  if (!text) return null;
  try {
    const r = JSON.parse(text) as TrustRecord;
    // A record for another path that happened to hash alike (or was copied by hand) approves nothing.
    return r && r.dir === realDir && typeof r.hash === 'string' && Array.isArray(r.items) ? r : null;
  } catch {
    return null;
  }
}

/** The project's trust as it stands now: its items, their hash, and whether that hash was approved. */
export function readTrustSync(dataDir: string, dir: string): TrustReport {
  const realDir = realpathSync(dir);
  const items = trustItems(realDir);
  const hash = hashItems(items);
  const record = readRecord(dataDir, realDir);
  const approved = new Set((record?.items ?? []).map((i) => json([i.key, i.text])));
  // Nothing to run (a folder with no config and no git programs) needs no approval.
  const state = items.length === 0 || record?.hash === hash ? 'trusted' : record ? 'changed' : 'untrusted';
  return {
    dir: realDir,
    state,
    hash,
    items: items.map((i) => ({ ...i, changed: record !== null && !approved.has(json([i.key, i.text])) })),
    approvedAt: record?.approvedAt ?? null,
  };
}

/**
 * Approve the project's items as they are now. With `expectedHash` (what the user was shown), a project that
 * changed meanwhile is refused rather than approved unseen.
 */
export function trustProjectSync(dataDir: string, dir: string, expectedHash?: string): TrustReport {
  const realDir = realpathSync(dir);
  const items = trustItems(realDir);
  const hash = hashItems(items);
  if (expectedHash !== undefined && expectedHash !== hash) {
    throw new UntrustedProjectError(`The project's commands changed since they were shown; review them again before trusting them.`);
  }
  const record: TrustRecord = { dir: realDir, hash, approvedAt: new Date().toISOString(), items: items.map(({ key, text }) => ({ key, text })) };
  const file = recordFile(dataDir, realDir);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Written beside and renamed: a crash mid-write never leaves half a record.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record, null, 1) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
  return readTrustSync(dataDir, realDir);
}

export const readTrust = async (dataDir: string, dir: string): Promise<TrustReport> => readTrustSync(dataDir, dir);
export const trustProject = async (dataDir: string, dir: string, expectedHash?: string): Promise<TrustReport> => trustProjectSync(dataDir, dir, expectedHash);

/** Forget the approval; true when there was one. */
export async function revokeTrust(dataDir: string, dir: string): Promise<boolean> {
  const realDir = realpathSync(dir);
  const file = recordFile(dataDir, realDir);
  const had = lstatSync(file, { throwIfNoEntry: false }) !== undefined;
  rmSync(file, { force: true });
  return had;
}

/** The one line that says why nothing runs and how to approve, for the CLI or the app. */
export function untrustedLine(report: Pick<TrustReport, 'dir' | 'state'>, where: 'cli' | 'app'): string {
  const what = report.state === 'changed' ? "This project's commands changed since you trusted them" : "This project's commands are not trusted yet";
  const quoted = /[\s'"$`\\]/.test(report.dir) ? `'${report.dir.replace(/'/g, `'\\''`)}'` : report.dir;
  return where === 'cli'
    ? `${what}: review them with \`autoresearch trust ${quoted}\` (or trust them in the app).`
    : `${what}: review them in the trust panel and choose Trust (or run \`autoresearch trust ${quoted}\`).`;
}

/** Throws UntrustedProjectError (one line) unless the project is trusted as it is now. */
export async function assertTrusted(dataDir: string, dir: string, where: 'cli' | 'app'): Promise<TrustReport> {
  const report = await readTrust(dataDir, dir);
  if (report.state !== 'trusted') throw new UntrustedProjectError(untrustedLine(report, where));
  return report;
}

/**
 * After the user saved the config themselves (`autoresearch init`, the app's Setup): what they wrote is theirs
 * and is approved by the save. Whatever they did not write stays unapproved unless it was approved before: an
 * item that was already on disk before the save unchanged, or git's program config. `before` is readTrust's
 * answer from just before the save.
 */
export async function trustOwnSave(dataDir: string, dir: string, before: TrustReport): Promise<TrustReport> {
  const realDir = realpathSync(dir);
  const k = (i: { key: string; text: string }) => json([i.key, i.text]);
  const record = readRecord(dataDir, realDir);
  const approved = new Set((record?.items ?? []).map(k));
  const onDiskBefore = new Set(before.items.map(k));
  const items = trustItems(realDir);
  const foreign = items.filter((i) => !approved.has(k(i)) && (i.switchedOff || onDiskBefore.has(k(i))));
  if (foreign.length > 0) return readTrust(dataDir, realDir);
  return trustProject(dataDir, realDir, hashItems(items));
}
