import { createStudio } from '../../core/studio/index.js';
import { runServe } from '../serve/run-serve.js';
import type { Command } from './index.js';

export const serveCommand: Command = {
  summary: 'the app in a browser: UI and Api on 127.0.0.1 behind a token (headless GPU boxes)',
  run: (argv, io) => runServe(argv, { io, createStudio }),
};
