import type { Command } from './index.js';
import { CliError } from '../io.js';

export const serveCommand: Command = {
  summary: '(not built yet)',
  async run() {
    throw new CliError('This command is not built yet.');
  },
};
