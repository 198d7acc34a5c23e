// The live run of the open project, behind one interface: either the run this process started (a RunHandle)
// or one another process owns (`autoresearch run` in a terminal), followed through its journal once a second.
// Either way its events reach the page through the same relay (event-relay.ts).
import type { LiveRun, RunState, StudioEventBody } from '../../shared/api.js';
import type { RunRecord } from '../journal/fold.js';
import { isLockLive, readLock } from '../project/run-lock.js';
import type { LoopEvent, RunHandle } from '../loop/types.js';
import { attachRunWebhooks } from '../notify/run-webhooks.js';
import { relayEvent } from './event-relay.js';
import { watchExternalRun, type ExternalRunWatcher } from './external-run.js';
import { createPollErrors } from './poll-errors.js';
import type { LiveRecords } from './run-reader.js';
import type { StudioDeps } from './studio.js';

const FOLLOW_POLL_MS = 1000;

export interface LiveRuns extends LiveRecords {
  /** The run this process started, from its start until its end has been handled (it may be stopping). */
  owned(): RunHandle | null;
  /** The run another process owns that this one follows (always the open project's). */
  followed(): ExternalRunWatcher | null;
  /** What the dashboard shows for the project open in `projectDir`. */
  live(projectDir: string | null): LiveRun | null;
  /** Take a run this process has just started: relay its events, keep the machine awake, say when it ends. */
  attach(handle: RunHandle): void;
  /** Stop following another process's run (the project was closed or another one opened). */
  unfollow(): void;
  isRunning(): boolean;
  /** Stop following, and stop the owned run (its experiments are recorded as interrupted). */
  dispose(): Promise<void>;
}

export function createLiveRuns(opts: {
  readonly deps: Pick<StudioDeps, 'notify' | 'sleepInhibitor' | 'dataDir'>;
  readonly env: NodeJS.ProcessEnv;
  readonly push: (body: StudioEventBody) => void;
  /** The open project's folder, or null. */
  readonly projectDir: () => string | null;
  /** Drop the cached journal of a run that was live (run-reader.ts). */
  readonly forget: (dir: string, tag: string) => void;
  /** Push the open project's run list. */
  readonly pushRuns: () => Promise<void>;
}): LiveRuns {
  const { deps, push, pushRuns } = opts;
  let run: RunHandle | null = null;
  let unsubscribeRun: (() => void) | null = null;
  let external: ExternalRunWatcher | null = null;

  /** The relay's effects carried out; it keeps the clock that caps the run list's pushes. */
  const relayTo = (projectDir: string, tag: string, record: () => RunRecord) => {
    let lastRunsPush = 0;
    return (e: LoopEvent) => {
      const now = Date.now();
      const out = relayEvent(e, { projectDir, tag, record: record(), now, lastRunsPush });
      for (const body of out.pushes) push(body);
      for (const n of out.notifications) deps.notify?.(n.title, n.body);
      if (out.refreshRuns) {
        lastRunsPush = now;
        void pushRuns();
      }
    };
  };

  const attach = (handle: RunHandle) => {
    run = handle;
    deps.sleepInhibitor?.acquire();
    unsubscribeRun = handle.subscribe(relayTo(handle.projectDir, handle.tag, () => handle.record()));
    // Notifications away from the desk, when the app's settings name a webhook (notify/settings.ts).
    const webhooks = attachRunWebhooks(deps.dataDir, handle, (message) => push({ type: 'notice', level: 'warning', message }));
    void handle.done.then(async (outcome) => {
      deps.sleepInhibitor?.release();
      unsubscribeRun?.();
      unsubscribeRun = null;
      deps.notify?.(`Run ${handle.tag} stopped`, outcome.message.split('\n')[0] ?? '');
      const level = outcome.reason === 'error' || outcome.reason === 'auth' || outcome.reason === 'failures' ? 'error' : 'info';
      push({ type: 'notice', level, message: `Run ${handle.tag} stopped: ${outcome.message}` });
      if (run === handle) {
        push({ type: 'live', project: handle.projectDir, live: null });
        run = null;
      }
      opts.forget(handle.projectDir, handle.tag);
      // A refresh of the run list for the page; the run's end was pushed already, and the next poll refreshes it.
      await pushRuns().catch(() => undefined);
      // Last: the page hears of the stop at once; the stop's webhook message may take up to its deadline.
      await (await webhooks)?.close();
    });
  };

  /** One tick of following: notice a run another process took, follow its journal, notice its end. */
  const follow = async (dir: string) => {
    const lock = await readLock(dir);
    const owner = lock && lock.pid !== process.pid && isLockLive(lock) ? lock : null;
    if (external && (!owner || owner.tag !== external.tag || opts.projectDir() !== dir)) {
      const ended = external;
      external = null;
      // The last read of a run that ended elsewhere: its journal is on disk, and History reads it whole.
      await ended.poll().catch(() => undefined);
      opts.forget(dir, ended.tag);
      push({ type: 'live', project: dir, live: null });
      push({ type: 'notice', level: 'info', message: `Run ${ended.tag} (process ${ended.ownerPid}) stopped.` });
      await pushRuns();
    }
    if (owner && !external && opts.projectDir() === dir) {
      let watcher: ExternalRunWatcher | null = null;
      watcher = await watchExternalRun({ projectDir: dir, tag: owner.tag, ownerPid: owner.pid, onEvent: (e) => relay(e), env: opts.env });
      const relay = relayTo(dir, owner.tag, () => watcher!.record());
      // The user may have opened another project while the journal was read: that one is not this run's.
      if (opts.projectDir() !== dir) return;
      // The owner takes the lock before it writes the journal's first event: followed now, the run would be
      // shown (and cached by the page) as a run with no tag that never receives its experiments. Next tick.
      if (!watcher.record().tag) return;
      external = watcher;
      push({ type: 'live', project: dir, live: watcher.live() });
      await pushRuns();
    } else if (external) {
      await external.poll();
    }
  };

  const errors = createPollErrors((message) => push({ type: 'notice', level: 'warning', message }));
  let checking = false;
  const check = async () => {
    const dir = opts.projectDir();
    if (checking || !dir || run) return;
    checking = true;
    try {
      await follow(dir);
      errors.succeeded();
    } catch (err) {
      // Best effort (the next tick tries again), but a failure that persists is said once: poll-errors.ts.
      errors.failed(err);
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), FOLLOW_POLL_MS);
  timer.unref?.();

  return {
    recordOf(dir, tag) {
      if (run && run.tag === tag && run.projectDir === dir) return run.record();
      if (external && external.tag === tag) return external.record();
      return null;
    },
    stateOf(dir, tag): RunState {
      if (run && run.tag === tag && dir !== null && run.projectDir === dir) return run.state();
      return external && external.tag === tag ? 'running' : 'stopped';
    },
    owned: () => run,
    followed: () => external,
    live: (projectDir) => (run && projectDir !== null && run.projectDir === projectDir ? run.live() : (external?.live() ?? null)),
    attach,
    unfollow() {
      external = null;
    },
    isRunning: () => run !== null && run.state() !== 'stopped',
    async dispose() {
      clearInterval(timer);
      if (run) await run.stop({ reason: 'signal', message: 'The app was closed.' });
    },
  };
}
