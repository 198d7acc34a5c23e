// Trust before anything runs (core/project/trust.ts): the trust panel reads what the open project would make the
// app run and approves it. The approval is kept in the app's data folder, the same record `autoresearch trust` writes.
import { assertTrusted, readTrust, trustProject, UntrustedProjectError } from '../../project/trust.js';
import type { Handlers, StudioContext } from '../context.js';
import { fail } from '../errors.js';

/** The folder that holds the trust records: the host's choice (the desktop shares the CLI's), else its data folder. */
export const trustDir = (ctx: Pick<StudioContext, 'deps'>) => ctx.deps.trustDataDir ?? ctx.deps.dataDir;

export function trustHandlers(ctx: StudioContext): Handlers<'projectTrust' | 'trustProject'> {
  const { session } = ctx;
  return {
    projectTrust: async () => readTrust(trustDir(ctx), session.require().dir),
    trustProject: async ({ hash }) => {
      const report = await trustProject(trustDir(ctx), session.require().dir, hash).catch((err: unknown) => {
        throw err instanceof UntrustedProjectError ? fail(err.message, 'conflict') : err;
      });
      // The open project's view (Start's reason) follows the approval at once.
      await session.refresh();
      return report;
    },
  };
}

/** Refuses (one line, code conflict) unless the project's commands are trusted as they are now. */
export async function requireTrusted(ctx: StudioContext, dir: string): Promise<void> {
  await assertTrusted(trustDir(ctx), dir, 'app').catch((err: unknown) => {
    throw err instanceof UntrustedProjectError ? fail(err.message, 'conflict') : err;
  });
}
