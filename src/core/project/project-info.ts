// What the UI and the CLI need to know about a folder before anything runs.
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { ProjectInfo } from '../../shared/api.js';
import { currentBranch, headCommit } from '../git/head.js';
import { dirtyTrackedFiles } from '../git/dirty-files.js';
import { repoPlace } from '../git/repo-place.js';
import { repoRoot } from '../git/repo-root.js';
import { loadConfig } from './config-file.js';
import { suggestConfig } from './detect-layout.js';
import { APP_DIR, projectPaths } from './paths.js';
import { assertProjectDir } from './project-dir.js';

/** Files the app itself writes in the user's checkout: changing them never blocks a run. */
export const isAppManagedPath = (p: string) => p === 'program.md' || p === APP_DIR || p.startsWith(`${APP_DIR}/`);

export { assertProjectDir, ProjectError } from './project-dir.js';

export async function readProjectInfo(dir: string): Promise<ProjectInfo> {
  const abs = await assertProjectDir(dir);
  // The repository's top or any folder inside it (a monorepo's packages/model/): see exec/worktrees.ts.
  const isGit = (await repoRoot(abs)) !== null;
  const loaded = await loadConfig(abs);
  const { layout, suggested } = await suggestConfig(abs);
  const hasProgram = await access(projectPaths(abs).program).then(() => true, () => false);
  return {
    dir: abs,
    name: path.basename(abs),
    isGit,
    layout,
    config: loaded.state === 'ok' ? loaded.config : null,
    configErrors: loaded.state === 'invalid' ? loaded.errors : [],
    suggestedConfig: suggested,
    hasProgram,
    branch: isGit ? await currentBranch(abs) : null,
    head: isGit ? await headCommit(abs) : null,
    dirtyFiles: isGit ? await dirtyTrackedFiles(abs, isAppManagedPath) : [],
    repoSubfolder: isGit ? (await repoPlace(abs)).prefix || null : null,
  };
}
