// The run's end, once: slots back to idle, the optional audit (the baseline and the best again, when a
// limit was reached and auditRepeats > 0), late inbox notes journaled, `run-stop`, the journal closed and
// the run lock released. A journal that cannot be written is why the run ends, whatever else was going on.
import type { RunState } from '../../shared/api.js';
import type { StopReason } from '../../shared/journal.js';
import type { JournalWriteError } from '../journal/append.js';
import { foldEvent } from '../journal/fold.js';
import { releaseLock } from '../project/run-lock.js';
import { removeUnusedWorktrees } from '../exec/worktrees.js';
import { auditRun } from './audit-run.js';
import { removeSandboxState } from './sandbox-spec.js';
import { isoNow, type RunIdentity, type RunJournalView, type RunLiveView, type SlotState } from './context.js';
import type { LoopDeps, RunOutcome } from './types.js';

/** Endings after which the configured audit runs (a user stop or an error skips it). */
const AUDITED_ENDINGS: ReadonlySet<StopReason> = new Set(['max-experiments', 'max-hours', 'max-cost', 'target']);

export function createRunEnd(
  ctx: Pick<RunIdentity, 'projectDir' | 'tag' | 'config'> &
    RunJournalView &
    Pick<RunLiveView, 'setPhase'> & {
      readonly deps: LoopDeps;
      readonly signal: AbortSignal;
      readonly slots: readonly SlotState[];
      readonly journalFailure: () => JournalWriteError | null;
      readonly importInbox: () => Promise<void>;
      readonly setState: (state: RunState) => void;
      readonly closeJournal: () => Promise<void>;
      /** The run-stop hook (hooks.ts), before run-stop is journaled, so its notice is the run's. */
      readonly beforeStop?: (reason: StopReason, message: string) => Promise<void>;
    },
): { end(reason: StopReason, message: string): Promise<RunOutcome>; ended(): boolean } {
  const { projectDir, tag, config, record, deps, slots } = ctx;
  let ended = false;
  return {
    ended: () => ended,
    async end(given, givenMessage) {
      const failure = ctx.journalFailure();
      const reason = failure ? 'error' : given;
      const message = failure ? failure.message : givenMessage;
      if (ended) return { reason, message };
      ended = true;
      for (const s of slots) ctx.setPhase(s, 'idle', { experimentId: null, description: null });
      if (!failure && AUDITED_ENDINGS.has(reason) && config.acceptance.auditRepeats > 0 && record.bestId !== null && record.bestId !== 0 && !ctx.signal.aborted) {
        // The optional audit at the end of a run: the baseline and the best again, interleaved, in these slots.
        ctx.setPhase(slots[0]!, 'running', { description: `audit of the best (#${record.bestId})` });
        await auditRun({ projectDir, tag, repeats: config.acceptance.auditRepeats, env: deps.env, nodePath: deps.nodePath, ...(deps.nodeEnv ? { nodeEnv: deps.nodeEnv } : {}), signal: ctx.signal, lockHeld: true })
          .then((a) => foldEvent(record, a))
          .catch((err: Error) => ctx.append({ type: 'notice', at: isoNow(), level: 'warning', message: `The audit at the end of the run did not finish: ${err.message}` }).catch(() => undefined));
        ctx.setPhase(slots[0]!, 'idle', { description: null });
      }
      // A note or an approval answer that reached the inbox after the last proposal is journaled now, not left
      // in a folder nobody reads until a resume (a stopped run takes notes straight into its journal too).
      await ctx.importInbox().catch(() => undefined);
      if (!failure) await ctx.beforeStop?.(reason, message).catch(() => undefined);
      await ctx.append({ type: 'run-stop', at: isoNow(), reason, message }).catch(() => undefined);
      ctx.setState('stopped');
      await ctx.closeJournal().catch(() => undefined);
      // The slot worktrees this run made and no experiment ran in go, while the lock is still held.
      await removeUnusedWorktrees(projectDir, [...record.experiments.values()].map((e) => e.slot)).catch(() => undefined);
      // The slots' private /tmp and caches (torch.compile's, Triton's) lived for the run: nothing carries into the next.
      await removeSandboxState(projectDir, tag).catch(() => undefined);
      await releaseLock(projectDir);
      return { reason, message };
    },
  };
}
