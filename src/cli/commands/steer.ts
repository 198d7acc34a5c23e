import path from 'node:path';
import { listRunTags } from '../../core/journal/read.js';
import { addSteeringNote } from '../../core/loop/steer-note.js';
import { loadConfig } from '../../core/project/config-file.js';
import { assertProjectDir } from '../../core/project/project-info.js';
import { steerUnreadReason } from '../../shared/proposer-reads.js';
import { parseCommandArgs } from '../args.js';
import { CliError } from '../io.js';
import type { Command } from './index.js';

const USAGE = `Usage: autoresearch steer [DIR] [--tag TAG] "note"

Adds a note that the agent sees in its following proposals (e.g. "try a cosine schedule", "stop
changing the batch size"). The claude, openai-compatible and command proposers read notes; the offline
mutation proposer does not. DIR defaults to the current folder, TAG to the newest run.`;

export const steerCommand: Command = {
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { tag: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, USAGE);
    if (values.help) {
      io.out(USAGE + '\n');
      return 0;
    }
    if (positionals.length === 0) throw new CliError(`Give the note to add.\n\n${USAGE}`);
    const note = positionals[positionals.length - 1]!;
    const dir = await assertProjectDir(path.resolve(io.cwd, positionals.length > 1 ? positionals[0]! : '.')).catch((err: Error) => {
      throw new CliError(err.message);
    });
    const tag = typeof values.tag === 'string' ? values.tag : (await listRunTags(dir))[0];
    if (!tag) throw new CliError(`There are no runs in ${dir} yet. Start one with \`autoresearch run\`, then steer it.`);
    const where = await addSteeringNote(dir, tag, note).catch((err: Error) => {
      throw new CliError(err.message);
    });
    // The offline mutation proposer reads no notes: say so rather than promise that a proposal will see it.
    const loaded = await loadConfig(dir);
    const unread = loaded.state === 'ok' ? steerUnreadReason(loaded.config.agent.proposer) : null;
    const added = where === 'inbox' ? `Note added to the live run ${tag}` : `Note added to run ${tag}`;
    if (unread) io.out(`${added}, but no proposal will see it: ${unread}\n`);
    else io.out(where === 'inbox' ? `${added}; the next proposal will see it.\n` : `${added}; proposals will see it when the run resumes.\n`);
    return 0;
  },
};
