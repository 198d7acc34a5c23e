// Starting and steering the live run: start, pause, resume, stop, notes, and answers to proposals waiting for
// approval. The live run is the one this process started, or one another process owns that it follows.
import { describeConfigErrors } from '../../../shared/config.js';
import { createProposer, ProposerSetupError } from '../../agent/create-proposer.js';
import { answerApproval, ApprovalError, readProposalFiles } from '../../loop/approval-answer.js';
import { RunLockedError, readLock } from '../../project/run-lock.js';
import { whyNotSignal } from '../../loop/run-owner.js';
import { startRun, RunStartError } from '../../loop/start-run.js';
import { addSteeringNote } from '../../loop/steer-note.js';
import { runPaths } from '../../project/paths.js';
import type { Handlers, StudioContext } from '../context.js';
import { fail } from '../errors.js';
import { requireTrusted } from './trust.js';

type RunControl = 'startRun' | 'pauseRun' | 'resumeRun' | 'stopRun' | 'steer' | 'answerApproval' | 'readProposalFiles';

export function runControlHandlers(ctx: StudioContext): Handlers<RunControl> {
  const { deps, env, session, live } = ctx;
  return {
    startRun: async (args) => {
      const p = session.require();
      // One start at a time: the second of two quick presses is refused here, not begun as a second loop.
      return ctx.starts.run(
        p.dir,
        async () => {
          const run = live.owned();
          if (run && run.state() !== 'stopped') throw fail(`The run ${run.tag} is already live. Stop it first.`, 'conflict');
          if (!p.config) {
            const why = p.configErrors.length ? `The config is invalid:\n${describeConfigErrors(p.configErrors)}` : 'The project has no config yet.';
            throw fail(`${why} Save the setup first.`, 'conflict');
          }
          // Nothing from the project runs (setup, trainer, guard, agent, key) until its commands are trusted.
          await requireTrusted(ctx, p.dir);
          try {
            const handle = await startRun({
              projectDir: p.dir,
              ...(args.tag ? { tag: args.tag } : {}),
              ...(args.proposer ? { proposer: args.proposer } : {}),
              ...(args.maxExperiments ? { maxExperiments: args.maxExperiments } : {}),
              // One GPU per slot (or as Setup → Slots says), leased machine-wide exactly as `autoresearch run` does.
              gpus: { where: 'app' },
              deps: {
                env,
                nodePath: deps.nodePath ?? process.execPath,
                ...(deps.nodeEnv ? { nodeEnv: deps.nodeEnv } : {}),
                appVersion: deps.app.version,
                createProposer: async (name, config) =>
                  createProposer(name, config, {
                    apiKey: await deps.secrets.getApiKey(),
                    baseUrl: env.ANTHROPIC_BASE_URL ?? null,
                    env,
                    keyHint: deps.app.host === 'electron' ? 'set it in Setup → Agent' : 'set it in Setup → Agent (kept in memory) or start the server with ANTHROPIC_API_KEY set',
                  }),
              },
            });
            live.attach(handle);
            ctx.push({ type: 'live', project: handle.projectDir, live: handle.live() });
            await session.pushRuns();
            return { tag: handle.tag };
          } catch (err) {
            if (err instanceof RunStartError || err instanceof RunLockedError || err instanceof ProposerSetupError) throw fail(err.message, 'conflict');
            throw err;
          }
        },
        (message) => fail(message, 'conflict'),
      );
    },
    pauseRun: async () => {
      const external = live.followed();
      if (external) throw fail(`The run ${external.tag} was started outside this app (process ${external.ownerPid}); pause is not available for it. Stop it, or steer it.`, 'conflict');
      const run = live.owned();
      if (!run) throw fail('No run is live.', 'conflict');
      run.pause();
      return null;
    },
    resumeRun: async () => {
      const run = live.owned();
      if (!run) throw fail('No run is live. Start it again (with the same tag) to continue it.', 'conflict');
      run.resume();
      return null;
    },
    stopRun: async () => {
      const external = live.followed();
      if (external) {
        // The CLI stops cleanly on SIGTERM: its experiments are killed and recorded as interrupted. The pid comes
        // from run.lock, a file anyone could have written: signal it only if it is this machine's run owner.
        const lock = await readLock(session.require().dir);
        const refused = !lock
          ? 'The run has no lock any more.'
          : lock.pid !== external.ownerPid
            ? 'The run changed its owner meanwhile; try again.'
            : whyNotSignal(lock, runPaths(session.require().dir, external.tag).journal);
        if (refused) throw fail(refused, 'conflict');
        try {
          process.kill(external.ownerPid, 'SIGTERM');
        } catch (err) {
          throw fail(`Could not stop process ${external.ownerPid}: ${(err as Error).message}`);
        }
        return null;
      }
      const run = live.owned();
      if (!run) throw fail('No run is live.', 'conflict');
      // Answer at once: killing the experiment can take the grace period; the UI follows the events.
      void run.stop({ reason: 'user' });
      return null;
    },
    steer: async ({ note }) => {
      const external = live.followed();
      if (external) {
        await addSteeringNote(session.require().dir, external.tag, note);
        return null;
      }
      const run = live.owned();
      if (!run) throw fail('No run is live. Start or resume a run to steer it.', 'conflict');
      await run.steer(note);
      return null;
    },
    answerApproval: async ({ tag, id, answer, note, files }) => {
      const p = session.require();
      // An approval makes the run train the proposal, as `autoresearch approve --approve` does.
      if (answer !== 'reject') await requireTrusted(ctx, p.dir);
      // The same door as `autoresearch approve`: the run's inbox when it is live (here or in another process), else its journal.
      const delivered = await answerApproval(p.dir, tag, { id, answer, note: note ?? null, ...(files ? { files } : {}), by: 'app' }).catch((err: unknown) => {
        throw err instanceof ApprovalError ? fail(err.message, 'conflict') : err;
      });
      return { delivered };
    },
    readProposalFiles: async ({ tag, id }) => {
      const p = session.require();
      const files = await readProposalFiles(p.dir, tag, id).catch((err: unknown) => {
        throw err instanceof ApprovalError ? fail(err.message, 'not-found') : err;
      });
      return { files };
    },
  };
}
