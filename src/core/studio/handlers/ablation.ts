// The ablation from the app (the History's Ablate button): the same ablateRun as `autoresearch ablate`, its
// progress pushed after each run, cancellable (nothing is saved then). One ablation per run at a time; the run
// lock keeps it apart from a live run of the project.
import { AblationError, ablateRun } from '../../finalize/ablate.js';
import { RunLockedError } from '../../project/run-lock.js';
import { readAblation } from '../../report/ablation-file.js';
import type { Handlers, StudioContext } from '../context.js';
import { fail } from '../errors.js';
import { requireTrusted } from './trust.js';

export function ablationHandlers(ctx: StudioContext): Handlers<'ablateRun' | 'cancelAblation' | 'getAblation'> {
  const { deps, env, session, runs, live, push } = ctx;
  const running = new Map<string, AbortController>();
  const key = (dir: string, tag: string) => `${dir}\0${tag}`;
  return {
    ablateRun: async ({ tag, repeats }) => {
      const p = session.require();
      await runs.readRecord(tag);
      // An ablation runs the trainer: nothing from the project runs before its commands are trusted.
      await requireTrusted(ctx, p.dir);
      const k = key(p.dir, tag);
      // The run lock names this process for a run it owns, so it would not keep the two apart here: refuse first.
      const owned = live.owned();
      if (owned && owned.projectDir === p.dir) throw fail(`Run ${owned.tag} of this project is live; stop it before ablating (the ablation runs the trainer in the same slots).`, 'conflict');
      if (running.has(k)) throw fail(`Run ${tag} is being ablated already; wait for it, or cancel it first.`, 'conflict');
      const abort = new AbortController();
      running.set(k, abort);
      // Held for its whole length: a Start meanwhile is refused with this (run.lock names this process, so the
      // lock alone would let it through).
      const busy = `Run ${tag} is being ablated (History → Ablate…); wait for it or cancel it, then start.`;
      try {
        return await ctx.starts.hold(p.dir, busy, () => ablateRun({
          projectDir: p.dir,
          tag,
          ...(repeats ? { repeats } : {}),
          env,
          nodePath: deps.nodePath ?? process.execPath,
          ...(deps.nodeEnv ? { nodeEnv: deps.nodeEnv } : {}),
          signal: abort.signal,
          onProgress: (progress) => push({ type: 'ablation', project: p.dir, tag, progress }),
        }), (message) => fail(message, 'conflict'));
      } catch (err) {
        throw err instanceof AblationError || err instanceof RunLockedError ? fail(err.message, 'conflict') : err;
      } finally {
        running.delete(k);
        push({ type: 'ablation', project: p.dir, tag, progress: null });
      }
    },
    cancelAblation: async ({ tag }) => {
      const p = session.require();
      const abort = running.get(key(p.dir, tag));
      abort?.abort();
      return { cancelled: !!abort };
    },
    getAblation: async ({ tag }) => {
      const p = session.require();
      await runs.readRecord(tag);
      return readAblation(p.dir, tag).catch((err: Error) => {
        throw fail(err.message, 'failed');
      });
    },
  };
}
