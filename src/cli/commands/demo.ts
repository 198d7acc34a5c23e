import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createDemoProject } from '../../core/project/demo.js';
import { dataDir } from '../../core/gpu/lease.js';
import { trustProject } from '../../core/project/trust.js';
import { parseCommandArgs } from '../args.js';
import { shownPath } from '../format.js';
import { CliError } from '../io.js';
import type { Command } from './index.js';

const USAGE = `Usage: autoresearch demo [DIR]

Copies the bundled demo project (a tiny character-level language model in JavaScript that trains for a
fixed 5,000 steps, a few seconds, on the app's own Node) into DIR (default ./autoresearch-demo) as a git
repository, ready to run.`;

export const demoCommand: Command = {
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { help: { type: 'boolean', short: 'h' } }, USAGE);
    if (values.help) {
      io.out(USAGE + '\n');
      return 0;
    }
    const dir = path.resolve(io.cwd, positionals[0] ?? 'autoresearch-demo');
    // A file in the way: say so, rather than the raw EEXIST of making a folder there.
    const there = await stat(dir).catch(() => null);
    if (there && !there.isDirectory()) throw new CliError(`${dir} is a file, not a folder. Name a new folder for the demo, e.g. \`autoresearch demo my-demo\`.`);
    const created = await createDemoProject(io.appRoot, dir).catch((err: Error) => {
      throw new CliError(err.message);
    });
    // The demo is the app's own code, copied just now: trusted as it is.
    await trustProject(dataDir(io.env), created);
    const shown = shownPath(io.cwd, created);
    io.out(`Demo project ready in ${created}\n\nNext:\n  autoresearch run ${shown} --max-experiments 6\n  autoresearch serve ${shown}   (the app in your browser)\n`);
    return 0;
  },
};
