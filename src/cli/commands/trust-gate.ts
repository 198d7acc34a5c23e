// The one check every command that would run something from a project makes first (run, audit, approve):
// an untrusted project is refused with one line that says how to trust it, before anything is read or run.
import { existsSync } from 'node:fs';
import { dataDir } from '../../core/gpu/lease.js';
import { assertTrusted, UntrustedProjectError } from '../../core/project/trust.js';
import { CliError, type CliIo } from '../io.js';

export async function refuseUntrusted(dir: string, io: Pick<CliIo, 'env'>): Promise<void> {
  // A folder that is not there has nothing to trust: the command's own check says what is wrong with it.
  if (!existsSync(dir)) return;
  await assertTrusted(dataDir(io.env), dir, 'cli').catch((err: unknown) => {
    // Exit code 3: scripts can tell "approve first" from a bad option (2) or a failed run (1).
    throw err instanceof UntrustedProjectError ? new CliError(err.message, 3) : err;
  });
}
