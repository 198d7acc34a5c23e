import { createStudio } from '../../core/studio/index.js';
import { runServe } from '../serve/run-serve.js';
import type { Command } from './index.js';

export const serveCommand: Command = {
  run: (argv, io) => runServe(argv, { io, createStudio }),
};
