// Electron main process entry: the desktop shell around the engine.
import { createStudio } from '../core/studio/index.js';
import { startDesktop } from './desktop.js';

startDesktop(createStudio);
