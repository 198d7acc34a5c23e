import path from 'node:path';
import { createInterface } from 'node:readline';
import { dataDir } from '../../core/gpu/lease.js';
import { assertProjectDir } from '../../core/project/project-dir.js';
import { readTrust, revokeTrust, trustProject, UntrustedProjectError } from '../../core/project/trust.js';
import type { TrustReport } from '../../shared/api-trust.js';
import { parseCommandArgs } from '../args.js';
import { shownPath } from '../format.js';
import { CliError, type CliIo } from '../io.js';
import { stripControl } from '../sanitize.js';
import type { Command } from './index.js';

const USAGE = `Usage: autoresearch trust [DIR] [--yes | --show | --revoke]

A project folder may come from anyone, and its config names commands the app runs (the trainer, setup, the
guard, a command agent, slots' hosts and environment); its .git/config can name programs git runs. Nothing
from a project runs until you have seen that list and trusted it; a change to any of it needs trusting again.
The approval is kept in the app's data folder (AUTORESEARCH_DATA_DIR, else ~/.autoresearch-studio).
DIR defaults to the current folder. Without options, prints the list and asks "Trust these commands? [y/N]".
  --yes      trust without asking (for scripts that wrote the config themselves)
  --show     only print the list and whether it is trusted
  --revoke   forget the approval: nothing runs until it is trusted again`;

/** The list as the terminal shows it; control characters are stripped (a config could move the cursor). */
export function formatTrust(report: TrustReport): string {
  const state =
    report.state === 'trusted'
      ? report.items.length === 0
        ? 'nothing to trust: the project names no commands'
        : `trusted${report.approvedAt ? ` (${report.approvedAt.slice(0, 16).replace('T', ' ')} UTC)` : ''}`
      : report.state === 'changed'
        ? 'CHANGED since you trusted it (changes marked *)'
        : 'not trusted yet';
  const lines = [`${report.dir}: ${state}`];
  for (const item of report.items) {
    const text = stripControl(item.text).replace(/\n/g, '\n      ');
    lines.push(`${item.changed ? '*' : ' '} ${item.key}  — ${item.what}${item.switchedOff ? ' (switched off by the app)' : ''}`, `      ${text}`);
  }
  return lines.join('\n') + '\n';
}

function ask(io: CliIo, question: string): Promise<boolean> {
  io.out(question);
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(/^\s*y(es)?\s*$/i.test(line));
    });
    // No terminal and nothing piped in: the answer is no.
    rl.once('close', () => {
      if (!answered) resolve(false);
    });
  });
}

export const trustCommand: Command = {
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { yes: { type: 'boolean', short: 'y' }, show: { type: 'boolean' }, revoke: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, USAGE);
    if (values.help) {
      io.out(USAGE + '\n');
      return 0;
    }
    const given = (['yes', 'show', 'revoke'] as const).filter((o) => values[o]);
    if (given.length > 1) throw new CliError(`Give one of --${given.join(', --')} at a time.`);
    if (positionals.length > 1) throw new CliError(`Give at most one project folder.\n\n${USAGE}`);
    const dir = await assertProjectDir(path.resolve(io.cwd, positionals[0] ?? '.')).catch((err: Error) => {
      throw new CliError(err.message);
    });
    const data = dataDir(io.env);
    if (values.revoke) {
      const had = await revokeTrust(data, dir);
      io.out(had ? `No longer trusted: ${dir}. Nothing from it runs until you trust it again.\n` : `${dir} was not trusted; nothing to revoke.\n`);
      return 0;
    }
    const report = await readTrust(data, dir);
    io.out(formatTrust(report));
    if (values.show || report.state === 'trusted') return 0;
    if (!values.yes && !(await ask(io, 'Trust these commands? [y/N] '))) {
      io.out('Not trusted: nothing from this project runs.\n');
      return 1;
    }
    // Approve exactly what was printed: a config changed in between is refused, not trusted unseen.
    await trustProject(data, dir, report.hash).catch((err: Error) => {
      throw err instanceof UntrustedProjectError ? new CliError(err.message, 1) : err;
    });
    io.out(`Trusted. \`autoresearch run ${shownPath(io.cwd, dir)}\` can run these commands now.\n`);
    return 0;
  },
};
