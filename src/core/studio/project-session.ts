// The open project (one at a time per studio) and the recently opened ones. Every change is pushed in the same
// tick as it happens, so an answer computed for a new project never reaches the page before the page knows.
import type { ProjectInfo, RunSummary, StudioEventBody } from '../../shared/api.js';
import { readProjectInfo } from '../project/project-info.js';
import { fail } from './errors.js';
import { addRecent } from './recent-projects.js';

export interface ProjectSession {
  current(): ProjectInfo | null;
  /** The open project; throws the error that says to open one first. */
  require(): ProjectInfo;
  recent(): readonly string[];
  /** Make `info` the open project, and say so. */
  switchTo(info: ProjectInfo): void;
  /** Put `dir` first among the recent projects, and say so. */
  remember(dir: string): Promise<void>;
  /** Read the open project again (after its config, program or git changed), and say so. */
  refresh(): Promise<void>;
  close(): void;
  /** Push the open project's run list. */
  pushRuns(): Promise<void>;
}

export function createProjectSession(opts: {
  readonly dataDir: string;
  readonly recent: readonly string[];
  readonly push: (body: StudioEventBody) => void;
  readonly listRuns: () => Promise<RunSummary[]>;
}): ProjectSession {
  const { push } = opts;
  let project: ProjectInfo | null = null;
  let recent = opts.recent;
  return {
    current: () => project,
    require() {
      if (!project) throw fail('Open a project first (Start → open a folder, or try the demo).', 'conflict');
      return project;
    },
    recent: () => recent,
    switchTo(info) {
      project = info;
      push({ type: 'project', project });
    },
    async remember(dir) {
      recent = await addRecent(opts.dataDir, dir);
      push({ type: 'recent', recentProjects: recent });
    },
    async refresh() {
      if (!project) return;
      project = await readProjectInfo(project.dir);
      push({ type: 'project', project });
    },
    close() {
      project = null;
      push({ type: 'project', project: null });
      push({ type: 'runs', project: null, runs: [] });
    },
    // A list read while the user switched projects mixes the two (and the new project pushes its own): drop it.
    async pushRuns() {
      const dir = project?.dir ?? null;
      const runs = await opts.listRuns();
      if ((project?.dir ?? null) === dir) push({ type: 'runs', project: dir, runs });
    },
  };
}
