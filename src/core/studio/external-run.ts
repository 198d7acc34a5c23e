// Watching a run that another process owns (`autoresearch run` in a terminal or tmux, while
// `autoresearch serve` or the desktop app shows the project): the journal is followed from the byte where
// the last read ended, and the running experiments' logs are tailed, so the UI sees the same events as for
// a run it started itself. Polling, not fs.watch: it behaves the same on every filesystem (NFS included).
import { open, stat } from 'node:fs/promises';
import type { LiveRun, LiveSlot } from '../../shared/api.js';
import { effectiveTimeoutSeconds, executorWhere } from '../../shared/config.js';
import { jobLabel } from '../../shared/experiment.js';
import { parseJournalEvent, type JournalEvent } from '../../shared/journal.js';
import { emptyRunRecord, foldEvent, type RunRecord } from '../journal/fold.js';
import type { LoopEvent } from '../loop/types.js';
import { isWaiting, jobState } from '../exec/slurm-cli.js';
import { resolveRunFile } from '../logs/run-file.js';
import { projectPaths, runPaths } from '../project/paths.js';

export interface ExternalRunWatcher {
  readonly tag: string;
  readonly ownerPid: number;
  record(): RunRecord;
  live(): LiveRun;
  /** Read what was appended since the last poll and report it. */
  poll(): Promise<void>;
}

const MAX_LOG_CHUNK = 64 * 1024;
const QUEUE_POLL_MS = 2_000;

async function readFrom(file: string, from: number, max: number): Promise<{ text: string; end: number } | null> {
  const info = await stat(file).catch(() => null);
  if (!info || info.size <= from) return null;
  const length = Math.min(info.size - from, max);
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, from);
    return { text: buf.subarray(0, bytesRead).toString('utf8'), end: from + bytesRead };
  } finally {
    await fh.close();
  }
}

export async function watchExternalRun(opts: {
  readonly projectDir: string;
  readonly tag: string;
  readonly ownerPid: number;
  readonly onEvent: (event: LoopEvent) => void;
  /** The app's environment: Slurm's tools (squeue) are found through it, to show a queued job's state. */
  readonly env?: NodeJS.ProcessEnv;
}): Promise<ExternalRunWatcher> {
  const paths = runPaths(opts.projectDir, opts.tag);
  const record = emptyRunRecord();
  let offset = 0;
  const logOffsets = new Map<number, { path: string; offset: number }>();

  /** Fold complete lines from `offset` on; a line still being written waits for the next poll. */
  const readJournal = async (report: boolean) => {
    for (;;) {
      const chunk = await readFrom(paths.journal, offset, 4 * 1024 * 1024);
      if (!chunk) return;
      const lastNewline = chunk.text.lastIndexOf('\n');
      if (lastNewline < 0) return;
      const complete = chunk.text.slice(0, lastNewline);
      offset += Buffer.byteLength(complete, 'utf8') + 1;
      for (const line of complete.split('\n')) {
        if (!line.trim()) continue;
        let event: JournalEvent | null;
        try {
          event = parseJournalEvent(JSON.parse(line));
        } catch {
          continue; // a torn line from a crash: the journal reader skips it too
        }
        if (!event) continue; // not a valid event: skipped, as the journal reader does
        foldEvent(record, event);
        if (report) opts.onEvent({ kind: 'journal', event });
      }
    }
  };

  const tailLogs = async () => {
    const running = [...record.experiments.values()].filter((e) => e.status === 'running');
    for (const e of running) {
      const rel = e.id === 0 || e.commit ? paths.logRel(e.id, Math.max(0, e.runs.length)) : null;
      if (!rel) continue;
      // A log path that leads out of the run folder is never tailed (History refuses it with its reason).
      const file = await resolveRunFile(projectPaths(opts.projectDir).runsDir, paths.dir, rel).catch(() => null);
      if (!file) continue;
      let state = logOffsets.get(e.id);
      if (!state || state.path !== file) {
        // Start at the end: the UI reads what came before through readLogLines.
        const info = await stat(file).catch(() => null);
        state = { path: file, offset: Math.max(0, (info?.size ?? 0) - MAX_LOG_CHUNK) };
        logOffsets.set(e.id, state);
      }
      const chunk = await readFrom(file, state.offset, MAX_LOG_CHUNK);
      if (chunk) {
        state.offset = chunk.end;
        opts.onEvent({ kind: 'log', id: e.id, text: chunk.text });
      }
    }
    for (const id of logOffsets.keys()) if (!running.some((e) => e.id === id)) logOffsets.delete(id);
  };

  // The owner knows when its Slurm job waits in the queue but does not journal it; the controller is asked
  // directly (at most every QUEUE_POLL_MS), so a run followed here shows "queued in Slurm" as one started here does.
  const queued = new Map<number, string>();
  let lastQueueCheck = 0;
  const checkQueues = async (): Promise<boolean> => {
    if (Date.now() - lastQueueCheck < QUEUE_POLL_MS) return false;
    lastQueueCheck = Date.now();
    const before = JSON.stringify([...queued]);
    const seen = new Set<number>();
    for (const p of record.openProcesses.values()) {
      if (p.remote?.kind !== 'slurm' || record.experiments.get(p.id)?.status !== 'running') continue;
      seen.add(p.id);
      const st = await jobState(p.remote.handle, opts.env ?? process.env);
      if (st && isWaiting(st)) queued.set(p.id, `queued in Slurm (${st.state}, ${st.reason})`);
      else if (st) queued.delete(p.id);
    }
    for (const id of queued.keys()) if (!seen.has(id)) queued.delete(id);
    return JSON.stringify([...queued]) !== before;
  };

  /** The remote job an experiment runs as now (its open process-start), as the dashboard names it. */
  const jobOf = (id: number): string | null => {
    for (const p of record.openProcesses.values()) if (p.id === id && p.remote) return jobLabel(p.remote);
    return null;
  };

  const live = (): LiveRun => {
    const config = record.config;
    const running = [...record.experiments.values()].filter((e) => e.status === 'running');
    const slots: LiveSlot[] = (config?.slots ?? [{ env: {} }]).map((slot, index) => {
      const e = running.find((r) => r.slot === index) ?? null;
      // The journal says when a proposal waits for approval; the finer phases only the owner knows.
      const inQueue = e ? (queued.get(e.id) ?? null) : null;
      const waiting = e?.approval?.state === 'waiting' || inQueue !== null;
      return {
        slot: index,
        env: slot.env,
        phase: e ? (waiting ? 'waiting' : e.kind === 'baseline' || e.commit ? 'running' : 'proposing') : 'idle',
        experimentId: e?.id ?? null,
        description: e ? e.description || null : null,
        experimentStartedAt: e?.startedAt ?? null,
        phaseStartedAt: e?.startedAt ?? null,
        metricsSoFar: {},
        waitingReason: inQueue ?? (waiting ? `#${e!.id} waits for your approval.` : null),
        where: e?.where ?? executorWhere(slot.executor),
        job: e ? jobOf(e.id) : null,
      };
    });
    return {
      tag: opts.tag,
      state: 'running',
      budgetSeconds: config?.budget.seconds ?? 0,
      timeoutSeconds: config ? effectiveTimeoutSeconds(config) : 0,
      slots,
      stopConditions: [],
    };
  };

  await readJournal(false);
  return {
    tag: opts.tag,
    ownerPid: opts.ownerPid,
    record: () => record,
    live,
    async poll() {
      const before = offset;
      await readJournal(true);
      await tailLogs();
      // A queue state (squeue) that cannot be read this tick keeps the last one shown; the next poll asks again.
      const queueChanged = await checkQueues().catch(() => false);
      if (offset !== before || queueChanged) opts.onEvent({ kind: 'live', live: live() });
    },
  };
}
