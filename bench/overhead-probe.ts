// Where the harness's time per experiment goes, for bench/loop-overhead: every child process the app starts
// (git by verb, bwrap, systemd-run, ...) and every file write and fsync (journal, results.tsv, snapshot) is
// timed from the outside, by wrapping node's own child_process and fs/promises before the loop calls them.
// Nothing in src/ knows about it, so what is measured is the code as shipped (git's commands are read off the
// pipe to the spawner's helper process, below).
import child_process from 'node:child_process';
import fsp, { type FileHandle } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { HELPER_MARK } from '../src/core/git/spawner-helper.js';

export interface Span {
  readonly label: string;
  readonly ms: number;
}

let spans: Span[] = [];
let recording = false;

/** With TIMELINE=1 each span's start and end too (loop-overhead prints one experiment's as a timeline). */
const timeline: { label: string; t0: number; t1: number }[] = [];
const keepTimeline = process.env.TIMELINE === '1';

const record = (label: string, t0: number) => {
  if (!recording) return;
  const t1 = performance.now();
  spans.push({ label, ms: t1 - t0 });
  if (keepTimeline) timeline.push({ label, t0, t1 });
};

/** Marks a moment (a journal event) on the timeline. */
export function mark(label: string): void {
  const now = performance.now();
  if (recording && keepTimeline) timeline.push({ label, t0: now, t1: now });
}

/** The recorded spans from the `n`th mark labelled `from` to the next one, relative to it (TIMELINE=1 only). */
export function timelineBetween(from: string, n: number): string[] {
  const sorted = [...timeline].sort((a, b) => a.t0 - b.t0);
  const starts = sorted.filter((s) => s.label === from && s.t1 === s.t0);
  const start = starts[n];
  const end = starts[n + 1];
  if (!start || !end) return [];
  return sorted
    .filter((s) => s.t0 >= start.t0 && s.t0 <= end.t0)
    .map((s) => `${(s.t0 - start.t0).toFixed(1).padStart(7)} → ${(s.t1 - start.t0).toFixed(1).padStart(7)} ms  ${s.t1 === s.t0 ? `— ${s.label}` : s.label}`);
}

/** `git checkout`, `bwrap` (the trainer or guard in the sandbox), `sh`, ... */
function processLabel(file: string, args: readonly string[] | undefined): string {
  const name = path.basename(file);
  if (name !== 'git') return name === 'bwrap' ? 'bwrap + trainer' : name;
  // The verb: the first argument that is not a global option (--no-pager, --git-dir=..., -c k=v).
  const a = args ?? [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '-c') i += 1;
    else if (!a[i]!.startsWith('-')) return `git ${a[i]}`;
  }
  return 'git';
}

/** The file a write is to, by kind: journal, results.tsv, snapshot, log, other. */
function fileLabel(file: string): string {
  const base = path.basename(file);
  if (base === 'journal.jsonl') return 'journal';
  if (base.startsWith('results.tsv')) return 'results.tsv';
  if (base.startsWith('fold-snapshot')) return 'snapshot';
  if (base.endsWith('.log')) return 'logs';
  return 'other files';
}

/**
 * git runs through the spawner's helper process (src/core/git/spawner.ts), whose execFile this process cannot
 * wrap: each command is timed instead from the request written to the helper to its last answer line, the
 * round trip the harness waits for, under the same label a direct execFile of it would get.
 */
function watchSpawner(child: child_process.ChildProcess): void {
  const started = new Map<number, { label: string; t0: number }>();
  const stdin = child.stdin!;
  const write = stdin.write.bind(stdin) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stdin.write = function (chunk: unknown, ...rest: unknown[]) {
    for (const line of String(chunk).split('\n')) {
      if (!line) continue;
      const r = JSON.parse(line) as { id: number; file: string; args: string[] };
      started.set(r.id, { label: processLabel(r.file, r.args), t0: performance.now() });
    }
    return write(chunk, ...rest);
  } as typeof stdin.write;
  const decoder = new StringDecoder('utf8');
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer | string) => {
    partial += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      let m: { id?: number; done?: boolean };
      try {
        m = JSON.parse(line) as typeof m;
      } catch {
        continue; // not an answer (the spawner skips such lines too)
      }
      const s = m.done && m.id !== undefined ? started.get(m.id) : undefined;
      if (!s) continue;
      started.delete(m.id!);
      record(s.label, s.t0);
    }
  });
}

export function installProbe(): void {
  const cp = child_process as unknown as Record<string, (...a: unknown[]) => unknown>;
  const execFile = cp.execFile!;
  cp.execFile = function (this: unknown, file: unknown, args: unknown, ...rest: unknown[]) {
    const t0 = performance.now();
    const label = processLabel(String(file), Array.isArray(args) ? (args as string[]) : undefined);
    const cbAt = rest.findIndex((r) => typeof r === 'function');
    if (cbAt >= 0) {
      const cb = rest[cbAt] as (...x: unknown[]) => void;
      rest[cbAt] = (...x: unknown[]) => {
        record(label, t0);
        cb(...x);
      };
    }
    return execFile.call(this, file, args, ...rest);
  };
  const spawn = cp.spawn!;
  cp.spawn = function (this: unknown, file: unknown, args: unknown, ...rest: unknown[]) {
    const t0 = performance.now();
    const child = spawn.call(this, file, args, ...rest) as child_process.ChildProcess;
    if (Array.isArray(args) && args.includes(HELPER_MARK)) {
      watchSpawner(child);
      return child;
    }
    const label = processLabel(String(file), Array.isArray(args) ? (args as string[]) : undefined);
    // execFile calls node's spawn directly, not through this export, so nothing is counted twice.
    child.once('exit', () => record(label, t0));
    return child;
  };
  const execFileSync = cp.execFileSync!;
  cp.execFileSync = function (this: unknown, file: unknown, ...rest: unknown[]) {
    const t0 = performance.now();
    try {
      return execFileSync.call(this, file, ...rest);
    } finally {
      record(processLabel(String(file), Array.isArray(rest[0]) ? (rest[0] as string[]) : undefined), t0);
    }
  };

  // File handles remember what they were opened on; their writes and syncs are timed under that file's kind.
  const names = new WeakMap<object, string>();
  const fs = fsp as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const open = fs.open!;
  fs.open = async function (this: unknown, file: unknown, ...rest: unknown[]) {
    const t0 = performance.now();
    const handle = (await open.call(this, file, ...rest)) as FileHandle;
    names.set(handle, fileLabel(String(file)));
    record(`open ${fileLabel(String(file))}`, t0);
    return handle;
  };
  let proto: Record<string, (...a: unknown[]) => Promise<unknown>> | null = null;
  const wrapProto = (h: FileHandle) => {
    if (proto) return;
    proto = Object.getPrototypeOf(h) as Record<string, (...a: unknown[]) => Promise<unknown>>;
    for (const m of ['datasync', 'sync', 'write', 'writeFile']) {
      const orig = proto[m]!;
      const what = m === 'datasync' || m === 'sync' ? 'fsync' : 'write';
      proto[m] = async function (this: object, ...a: unknown[]) {
        const t0 = performance.now();
        try {
          return await orig.apply(this, a);
        } finally {
          record(`${what} ${names.get(this) ?? 'other files'}`, t0);
        }
      };
    }
  };
  const rename = fs.rename!;
  fs.rename = async function (this: unknown, from: unknown, to: unknown) {
    const t0 = performance.now();
    try {
      return await rename.call(this, from, to);
    } finally {
      record(`rename ${fileLabel(String(to))}`, t0);
    }
  };
  syncBuiltinESMExports();
  // The FileHandle prototype is reached through a handle of its own.
  void open.call(fsp, '/dev/null', 'r').then((h) => {
    wrapProto(h as FileHandle);
    return (h as FileHandle).close();
  });
}

export function startRecording(): void {
  spans = [];
  timeline.length = 0;
  recording = true;
}

/** The spans since startRecording, summed by label: count and ms, per experiment. */
export function stopRecording(experiments: number): { label: string; perExperiment: number; ms: number }[] {
  recording = false;
  const by = new Map<string, { n: number; ms: number }>();
  for (const s of spans) {
    const b = by.get(s.label) ?? { n: 0, ms: 0 };
    b.n += 1;
    b.ms += s.ms;
    by.set(s.label, b);
  }
  return [...by.entries()].map(([label, b]) => ({ label, perExperiment: b.n / experiments, ms: b.ms / experiments })).sort((a, b) => b.ms - a.ms);
}
