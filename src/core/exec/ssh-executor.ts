// The executor of a host reached by SSH. The loop still proposes, commits and checks protected files in the
// slot's local worktree; what runs on the host is the commit that worktree is at: it reaches the host by
// `git push` to a bare repository under the slot's remote folder (created on first use) and is checked out in a
// worktree per slot there (never an rsync of the user's folder). Linked inputs are the host's own paths,
// symlinked into that worktree. The command runs detached in its own session and process group on the host;
// its log streams back over the connection into the same capped local log as a local run (the metric is read
// from it as usual), and a dropped connection is picked up again from the last byte received.
// Every step after the first push goes through the host's one shared shell (ssh-shell.ts): a new commit travels
// as a pack of only what the host lacks, and the log comes home by polls, so an experiment opens no ssh session.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import { executorWhere, type ExecutorConfig, type ProjectConfig } from '../../shared/config.js';
import { repoPlace } from '../git/repo-place.js';
import { prepareWorktree } from './worktrees.js';
import { createByteRing } from './byte-ring.js';
import { openCappedLog, type CappedLog } from './capped-log.js';
import { collapseProgress, decodeCutUtf8 } from './collapse-progress.js';
import type { Executor, ExecutorJob, JobRef } from './executor.js';
import { TAIL_BYTES, type RunCommandResult } from './run-command.js';
import { describeSshFailure, sshScript, type SshTarget } from './ssh-connection.js';
import { gitHead, gitPush, packAgainst } from './ssh-git.js';
import { abandonScript, finishScript, killScript, launchScript, pollScript, receivePackScript, remoteLayout, startScript, sweepRunScript, syncWorktreeScript } from './ssh-scripts.js';
import { checkHostRepo } from './ssh-host-repo.js';
import { remoteShell } from './ssh-shell.js';
import { newProcessMarker, PROCESS_MARKER_KEY } from './sweep-escaped.js';

export type SshSettings = Extract<ExecutorConfig, { kind: 'ssh' }>;

export interface SshExecutorOptions {
  readonly projectDir: string;
  /** The project's linked inputs, linked into the local worktree as for a local slot. */
  readonly linked: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly slot: number;
  readonly settings: SshSettings;
  /** For a metric read from a JSON file: the file is copied back from the host after the run. */
  readonly config?: ProjectConfig;
  readonly startTimeoutMs?: number; // the start request's (send, sync, launch) time limit; 300 s
}

/** Environment keys that describe this machine, not the host: never sent. */
const LOCAL_ONLY_ENV = new Set(['AUTORESEARCH_NODE', 'ELECTRON_RUN_AS_NODE']);
/** A dropped connection is tried again for this long before the experiment is given up as interrupted. */
const RECONNECT_FOR_MS = 120_000;
/** The host's own watchdog fires this long after the app's timeout (the app is normally first). */
const WATCHDOG_MARGIN_S = 30;
/** Commits each host's repository (host, port, folder) is known to hold, newest last: the bases of the next pack. */
const sentCommits = new Map<string, string[]>();

/** What travels in the journal's handle: enough to find the job again after a restart. */
export interface SshHandle {
  readonly host: string;
  readonly port: number;
  readonly pgid: number;
  readonly jobDir: string;
}

export function formatSshHandle(h: SshHandle): string {
  return `${h.host}:${h.port}:${h.pgid}:${h.jobDir}`;
}

export function parseSshHandle(handle: string): SshHandle | null {
  const m = /^(.+):(\d+):(\d+):(\/.*)$/.exec(handle);
  return m ? { host: m[1]!, port: Number(m[2]), pgid: Number(m[3]), jobDir: m[4]! } : null;
}

/** The experiment's environment as the host gets it: what the run adds to the app's own (not this machine's PATH, HOME...). */
export function remoteEnv(jobEnv: Readonly<Record<string, string | undefined>>, appEnv: NodeJS.ProcessEnv, forced: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(jobEnv)) {
    if (v === undefined || LOCAL_ONLY_ENV.has(k)) continue;
    if (appEnv[k] !== v || forced.includes(k)) out[k] = v;
  }
  return out;
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_') || 'run';

export function createSshExecutor(opts: SshExecutorOptions): Executor & { readonly where: string } {
  const { settings } = opts;
  const target: SshTarget = { host: settings.host, port: settings.port, options: settings.options, env: opts.env };
  const port = settings.port ?? 22;
  const root = settings.remoteDir.replace(/\/+$/, '') || '/';
  const url = `ssh://${settings.host}${root.startsWith('/') ? '' : '/'}${root}/repo.git`;
  /** Local worktree path → slot (the loop runs a slot's commands in its worktree). */
  const slotOfWorktree = new Map<string, number>();
  let repoReady: Promise<void> | null = null;
  const shell = remoteShell(target);
  const hostKey = `${settings.host}:${port}:${root}`;
  const onHost = sentCommits.get(hostKey) ?? [];
  sentCommits.set(hostKey, onHost);
  const remember = (commit: string) => {
    if (!onHost.includes(commit)) onHost.push(commit);
    if (onHost.length > 32) onHost.splice(0, onHost.length - 32);
  };

  const ensureRepo = (): Promise<void> =>
    (repoReady ??= checkHostRepo(shell, target, root, hostKey).catch((err: unknown) => {
      repoReady = null;
      throw err;
    }));

  /** The host's worktree of `slot` exactly at `commit` (pushed first). Returns an error message or null. */
  const syncHost = async (cwd: string, slot: number, commit: string, tag: string): Promise<string | null> => {
    try {
      await ensureRepo();
    } catch (err) {
      return (err as Error).message;
    }
    const sent = await sendCommit(cwd, slot, commit);
    if (sent) return sent;
    const layout = remoteLayout(root, slot, tag, 'x');
    const r = await shell.runRetrying(syncWorktreeScript(layout, commit, settings.linked), { timeoutMs: 300_000 });
    if (r.code !== 0) return r.code === 255 ? describeSshFailure(target, r, 'preparing the worktree') : `Could not prepare the worktree ${layout.worktree} on ${settings.host}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`;
    return null;
  };

  /**
   * What sends `commit` through the shared shell: a receivePackScript of only what the host lacks (against commits
   * sent before), '' when the host has it, or null when it must go by git push (the first commit, a large change).
   */
  async function packScript(cwd: string, slot: number, commit: string): Promise<string | null> {
    if (onHost.includes(commit)) return '';
    const bases = [...onHost];
    const pack = bases.length ? await packAgainst(cwd, commit, bases) : null;
    return pack ? receivePackScript(`${root}/repo.git`, slot, commit, bases, pack.toString('base64')) : null;
  }

  async function pushCommit(cwd: string, slot: number, commit: string): Promise<string | null> {
    const pushed = await gitPush(cwd, target, url, `+${commit}:refs/heads/autoresearch-slot-${slot}`);
    if (pushed.code !== 0) return `Could not push the commit to ${settings.host}:${root}/repo.git: ${pushed.stderr.trim().split('\n').slice(-2).join(' ')}`;
    remember(commit);
    return null;
  }

  /** `commit` into the host's repository, by pack or push (prepareWorkspace; an experiment sends it with its start). */
  async function sendCommit(cwd: string, slot: number, commit: string): Promise<string | null> {
    const script = await packScript(cwd, slot, commit);
    if (script === '') return null;
    if (script !== null) {
      const r = await shell.runRetrying(script, { timeoutMs: 300_000 });
      if (r.code === 0) {
        remember(commit);
        return null;
      }
      if (r.code === 255 || r.code === null) return describeSshFailure(target, r, 'sending the commit');
      // The host's repository lacks a base (replaced or cleaned): forget what it held and push.
      onHost.splice(0);
    }
    return pushCommit(cwd, slot, commit);
  }

  return {
    kind: 'ssh',
    where: executorWhere(settings),
    async prepareWorkspace(slot, commit) {
      // The host's worktree runs commands at its top; a project in a monorepo's subfolder would run in the wrong
      // folder there, so it is refused until the remote layout knows the subfolder.
      const { prefix } = await repoPlace(opts.projectDir);
      if (prefix) {
        throw new Error(`SSH slots cannot run a project in a subfolder of its repository yet (this one is ${prefix}/). Use local or Slurm slots for it, or make the repository's top folder the project.`);
      }
      const local = await prepareWorktree(opts.projectDir, slot, commit, opts.linked);
      slotOfWorktree.set(path.resolve(local.path), slot);
      // Reaching the host now makes a wrong host, key or folder fail the run's start, not its first experiment.
      const problem = await syncHost(local.path, slot, commit, 'prepare');
      if (problem) throw new Error(problem);
      return local;
    },
    async run(job: ExecutorJob): Promise<RunCommandResult> {
      return runOnHost(job);
    },
    async reattach(refs: readonly JobRef[], runDir: string) {
      return reattachOnHost(refs, runDir);
    },
    async probe() {
      const command = 'nvidia-smi -L';
      const r = await sshScript(target, `command -v nvidia-smi >/dev/null 2>&1 || { echo "nvidia-smi is not on the PATH of ${settings.host} (no NVIDIA driver there, or PATH lacks it)" >&2; exit 127; }\nnvidia-smi -L\n`, { timeoutMs: 30_000 });
      if (r.code === 0) return { ok: true, command: `ssh ${settings.host} ${command}`, output: r.stdout.trim() || '(no GPUs listed)' };
      if (r.code === 127) return { ok: false, command: `ssh ${settings.host} ${command}`, output: r.stderr.trim() };
      return { ok: false, command: `ssh ${settings.host} ${command}`, output: r.code === 255 || r.code === null ? describeSshFailure(target, r, 'testing the connection') : `nvidia-smi failed on ${settings.host}: ${r.stderr.trim() || `exit ${r.code}`}` };
    },
  };

  async function runOnHost(job: ExecutorJob): Promise<RunCommandResult> {
    const notRun = (spawnError: string | null, aborted = false): RunCommandResult => ({ exitCode: null, signal: null, timedOut: false, aborted, durationMs: 0, outputBytes: 0, droppedBytes: 0, tail: '', spawnError, logError: null });
    if (job.signal?.aborted) return notRun(null, true);
    const slot = slotOfWorktree.get(path.resolve(job.cwd)) ?? Number(job.env.AUTORESEARCH_SLOT ?? opts.slot);
    const tag = safeName(job.env.AUTORESEARCH_TAG ?? 'run');
    const marker = newProcessMarker();
    const layout = remoteLayout(root, slot, tag, `e${safeName(job.env.AUTORESEARCH_EXPERIMENT_ID ?? 'x')}-${marker}`);
    const runMarker = { key: 'AUTORESEARCH_RUN_DIR', value: layout.runDir };
    const processMarker = { key: PROCESS_MARKER_KEY, value: marker };

    let commit: string;
    try {
      commit = await gitHead(job.cwd);
    } catch (err) {
      return notRun(`The worktree ${job.cwd} has no commit to run: ${(err as Error).message}`);
    }
    // Sending the commit is not the experiment's time: the slot says so, and its clock starts at the launch.
    job.onWaiting?.(`sending the commit to ${settings.host}`);
    let send: string | null = null;
    try {
      await ensureRepo();
      send = await packScript(job.cwd, slot, commit);
    } catch (err) {
      job.onWaiting?.(null);
      return notRun((err as Error).message);
    }
    const pushed = send === null ? await pushCommit(job.cwd, slot, commit) : null;
    if (pushed) {
      job.onWaiting?.(null);
      return notRun(pushed);
    }

    let log: CappedLog;
    try {
      await mkdir(path.dirname(job.logFile), { recursive: true });
      log = await openCappedLog(job.logFile, job.logMaxBytes);
    } catch (err) {
      return notRun(`Could not create the log file ${job.logFile}: ${(err as Error).message}. Check that the disk has space and the folder is writable.`);
    }

    const forced = [...Object.keys(opts.config?.run.env ?? {}), ...Object.keys(opts.config?.slots[slot]?.env ?? {})];
    const env = { ...remoteEnv(job.env, opts.env, forced), [runMarker.key]: runMarker.value, [processMarker.key]: processMarker.value };
    const graceS = job.graceMs / 1000;
    // Started once per job folder: a try again after a dropped connection finds the job the first try started.
    const launch = launchScript({ layout, command: job.command, env, watchdogSeconds: job.timeoutMs / 1000 + graceS + WATCHDOG_MARGIN_S, graceSeconds: graceS });
    const sync = syncWorktreeScript(layout, commit, settings.linked);
    // The commit's objects, the worktree and the launch in one request (a host that lost a base gets a push). Not
    // given up on a stop: the host would launch the job all the same; a stop ends the job once it is known (below).
    const start = (sendScript: string) => shell.runRetrying(startScript(layout.jobDir, sendScript, sync, launch), { timeoutMs: opts.startTimeoutMs ?? 300_000 });
    let launched = await start(send ?? '');
    if (launched.code === 5 && /AR-STEP-SEND/.test(launched.stderr)) {
      // The host's repository lost a base or is gone (its folder cleaned): made again if need be, and pushed to.
      onHost.splice(0);
      repoReady = null;
      const again = await ensureRepo().then(() => pushCommit(job.cwd, slot, commit), (err: Error) => err.message);
      if (again) {
        job.onWaiting?.(null);
        await log.finish();
        return notRun(again);
      }
      launched = await start('');
    }
    job.onWaiting?.(null);
    if (launched.code === 6 && /AR-STEP-SYNC/.test(launched.stderr)) {
      await log.finish();
      return notRun(`Could not prepare the worktree ${layout.worktree} on ${settings.host}: ${launched.stderr.replace(/AR-STEP-SYNC/, '').trim().split('\n').slice(-3).join(' ')}`);
    }
    if (send && launched.code === 0) remember(commit);
    const pgid = Number(/AR-PGID (\d+)/.exec(launched.stdout)?.[1] ?? NaN);
    if (!Number.isInteger(pgid) || pgid <= 1) {
      // The host may have launched the job or be about to (request given up, connection lost, a slow start):
      // cancelled there, or it trains unwatched until its watchdog, beside the slot's next one (abandonScript).
      if (launched.code !== 5) await shell.runRetrying(abandonScript(layout.jobDir, graceS, processMarker), { timeoutMs: job.graceMs + 60_000 }).catch(() => undefined);
      await log.finish();
      return notRun(launched.code === 255 || launched.code === null ? describeSshFailure(target, launched, 'starting the command') : `The command could not be started on ${settings.host}: ${launched.stderr.trim() || `exit ${launched.code}`}`);
    }
    const started = performance.now();
    const ref: JobRef = { pid: 0, pgid: 0, remote: { kind: 'ssh', slot, handle: formatSshHandle({ host: settings.host, port, pgid, jobDir: layout.jobDir }) } };

    // --- timeout and abort: the host ends the whole group (and what escaped it)
    let timedOut = false;
    let aborted = false;
    let killing: Promise<unknown> | null = null;
    const stop = () => {
      killing ??= (async () => {
        // Tried until it lands or the job is seen to end: a drop at this moment must not leave the trainer running.
        for (let i = 0; i < 5 && !ended; i++) {
          const r = await shell.run(killScript(pgid, graceS, processMarker), { timeoutMs: job.graceMs + 60_000 });
          if (r.code === 0) return;
          await sleep(2_000);
        }
      })();
    };
    let ended = false;
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, Math.min(2 ** 31 - 1, Math.max(0, job.timeoutMs)));
    const onAbort = () => {
      aborted = true;
      stop();
    };
    job.signal?.addEventListener('abort', onAbort, { once: true });
    // A stop while the job was being sent or queued came before the listener (as in run-command.ts).
    if (job.signal?.aborted) onAbort();

    let startError: unknown = null;
    try {
      await job.onStart?.(ref);
    } catch (err) {
      startError = err;
      stop();
    }

    // --- the log, followed by offset; reconnects after a drop
    const tailRing = createByteRing(TAIL_BYTES);
    const decoder = new StringDecoder('utf8');
    let offset = 0;
    const emit = (text: string) => {
      if (!text || !job.onOutput) return;
      try {
        job.onOutput(text);
      } catch {
        // A failing UI listener must not lose the experiment's output or its result.
      }
    };
    let drained: (() => void) | null = null;
    log.onDrain(() => {
      drained?.();
      drained = null;
    });
    const waitDrain = () => new Promise<void>((r) => (drained = r));
    let exitStatus: number | null = null;
    let lostSince: number | null = null;
    let lost: string | null = null;
    for (;;) {
      const end = await follow(layout.jobDir, offset, (chunk) => {
        offset += chunk.length;
        tailRing.push(chunk);
        emit(decoder.write(chunk));
        return log.write(chunk);
      }, waitDrain);
      if (end.kind === 'exit') {
        exitStatus = end.status;
        break;
      }
      if (end.kind === 'gone') break;
      // The connection dropped: the job goes on on the host; follow it again from the last byte once reachable.
      if (end.kind === 'dropped' && end.progressed) lostSince = null;
      lostSince ??= Date.now();
      if (Date.now() - lostSince > RECONNECT_FOR_MS) {
        lost = `Lost the connection to ${settings.host} for ${Math.round(RECONNECT_FOR_MS / 1000)} s while the command ran (${end.message}). The host's watchdog ends the command at its timeout; the experiment is recorded as interrupted.`;
        break;
      }
      await sleep(1_000);
    }
    ended = true;
    clearTimeout(timer);
    job.signal?.removeEventListener('abort', onAbort);
    if (killing) await killing;

    let escaped: number[] = [];
    if (!lost) {
      // A metric file that came back short would read as "the command did not write it": the log says why.
      const copyError = await copyJsonMetricBack(layout.worktree, job.cwd);
      if (copyError) {
        const note = Buffer.from(`\n[autoresearch] ${copyError}\n`);
        tailRing.push(note);
        emit(decoder.write(note));
        log.write(note);
      }
      const fin = await shell.runRetrying(finishScript(layout.jobDir, processMarker), { timeoutMs: 60_000 });
      escaped = (/AR-SWEPT ([\d ]*)/.exec(fin.stdout)?.[1] ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
    }
    emit(decoder.end());
    const { droppedBytes, error: logError } = await log.finish();
    if (escaped.length) await job.onEscaped?.(escaped);
    if (startError !== null) throw startError;

    // 128+N: the group leader was ended by signal N (the app's kill, the watchdog, or the trainer's own crash).
    const signalled = exitStatus !== null && exitStatus > 128 && exitStatus < 160 && (timedOut || aborted);
    return {
      exitCode: signalled ? null : exitStatus,
      signal: signalled ? signalName(exitStatus! - 128) : null,
      timedOut,
      aborted,
      durationMs: Math.round(performance.now() - started),
      outputBytes: offset,
      droppedBytes,
      tail: collapseProgress(decodeCutUtf8(tailRing.contents())),
      spawnError: null,
      logError,
      ...(lost ? { interrupted: lost } : {}),
    };
  }

  /** The job's log polled through the shared shell from `offset` until the job ends or the connection drops. */
  async function follow(
    jobDir: string,
    offset: number,
    onChunk: (chunk: Buffer) => boolean,
    waitDrain: () => Promise<void>,
  ): Promise<{ kind: 'exit'; status: number } | { kind: 'gone' } | { kind: 'dropped'; message: string; progressed: boolean }> {
    let progressed = false;
    for (;;) {
      const r = await shell.run(pollScript(jobDir, offset), { timeoutMs: 60_000 });
      if (r.code !== 0) return { kind: 'dropped', message: r.stderr.trim().split('\n').slice(-1)[0] || `exit ${r.code}`, progressed };
      if (r.bytes.length > 0) {
        progressed = true;
        offset += r.bytes.length;
        // The disk is behind: the next poll waits, so the log waits on the host instead of our memory growing.
        if (!onChunk(r.bytes)) await waitDrain();
      }
      const exit = /AR-EXIT (\d+)/.exec(r.stderr);
      if (exit) return { kind: 'exit', status: Number(exit[1]) };
      if (/AR-GONE/.test(r.stderr)) return { kind: 'gone' };
    }
  }

  /** Copies the JSON metric file the command wrote on the host; says why when it was there but could not be copied. */
  async function copyJsonMetricBack(remoteWorktree: string, localWorktree: string): Promise<string | null> {
    const extract = opts.config?.metric.extract as { kind: string; file?: string } | undefined;
    if (extract?.kind !== 'json' || !extract.file || extract.file.includes('..') || path.isAbsolute(extract.file)) return null;
    const r = await shell.runRetrying(`cat ${shq(`${remoteWorktree}/${extract.file}`)} 2>/dev/null | base64\n`, { timeoutMs: 60_000 });
    const text = Buffer.from(r.stdout.replace(/\s+/g, ''), 'base64');
    // Not written on the host: the metric reader says so, in its own words.
    if (r.code !== 0 || text.length === 0) return null;
    const local = path.join(localWorktree, extract.file);
    try {
      await mkdir(path.dirname(local), { recursive: true });
      await writeFile(local, text);
      return null;
    } catch (err) {
      return `The command wrote ${extract.file} on ${settings.host}, but it could not be copied to ${local}: ${(err as Error).message}. Check that this folder is writable and has space.`;
    }
  }

  async function reattachOnHost(refs: readonly JobRef[], runDir: string) {
    // A job whose app died cannot be followed into the experiment it belonged to (that record is closed as
    // interrupted): its group is ended on the host, with everything else of this run there (the marker).
    const mine = refs.filter((r) => r.remote?.kind === 'ssh').map((r) => parseSshHandle(r.remote!.handle)).filter((h): h is SshHandle => h !== null);
    const notes: string[] = [];
    const killed: number[] = [];
    if (mine.length === 0) return { reattached: [] as JobRef[], killed, notes };
    // The job folder is <remote folder>/runs/<tag>/jobs/<name>: the run's folder there is the run's marker.
    const runDirs = new Set(mine.map((h) => path.posix.dirname(path.posix.dirname(h.jobDir))));
    if (runDirs.size === 0) runDirs.add(remoteLayout(root, 0, safeName(path.basename(runDir)), 'x').runDir);
    const script = [...runDirs].map((value, i) => sweepRunScript(i === 0 ? mine.map((h) => h.pgid) : [], { key: 'AUTORESEARCH_RUN_DIR', value })).join('\n');
    const r = await shell.runRetrying(script, { timeoutMs: 60_000 });
    if (r.code !== 0) {
      notes.push(`${describeSshFailure(target, r, 'ending the jobs the stopped app left there')} Their watchdog ends them at their timeout.`);
    } else {
      for (const m of r.stdout.matchAll(/AR-SWEPT ([\d ]*)/g)) killed.push(...m[1]!.trim().split(/\s+/).filter(Boolean).map(Number));
      if (killed.length) notes.push(`Ended ${killed.length} process(es) the stopped app left running on ${settings.host} (pid ${killed.join(', ')}).`);
    }
    return { reattached: [] as JobRef[], killed, notes };
  }
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 15: 'SIGTERM' };
const signalName = (n: number) => SIGNALS[n] ?? `SIG${n}`;
