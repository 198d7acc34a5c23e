// Electron main process (placeholder until the desktop shell lands).
import { app } from 'electron';

app.whenReady().then(() => undefined);
