// Why a run cannot start (or be controlled) right now, in words for a tooltip. Pure, so it is easy to test.
import type { LiveRun, ProjectInfo } from '../../shared/api.js';

export interface RunControls {
  readonly start: string | null;
  readonly pause: string | null;
  readonly resume: string | null;
  readonly stop: string | null;
  readonly steer: string | null;
}

/** Each entry is null when the control can be used, else the reason it cannot. */
export function runControls(project: ProjectInfo | null, live: LiveRun | null, connected: boolean): RunControls {
  if (!connected) {
    const r = 'Not connected to Autoresearch Studio; waiting to reconnect';
    return { start: r, pause: r, resume: r, stop: r, steer: r };
  }
  const state = live?.state ?? 'stopped';
  const active = state !== 'stopped';
  let start: string | null = null;
  if (!project) start = 'Open a project first';
  else if (active) start = 'A run is already live';
  else if (!project.isGit) start = 'The project is not a git repository yet (see Setup)';
  else if (!project.config) start = 'Save the setup first';
  else if (project.dirtyFiles.length > 0) {
    const names = project.dirtyFiles.slice(0, 3).join(', ') + (project.dirtyFiles.length > 3 ? ', …' : '');
    start = `Commit or discard the uncommitted changes first (${names})`;
  }
  const notLive = 'No run is live';
  return {
    start,
    pause: !active ? notLive : state === 'running' ? null : `The run is ${state}`,
    resume: !active ? notLive : state === 'paused' ? null : 'The run is not paused',
    stop: !active ? notLive : state === 'stopping' ? 'The run is already stopping' : null,
    steer: !active ? 'Steering notes go to a live run; start one first' : state === 'stopping' ? 'The run is stopping' : null,
  };
}
