// Opening, making and closing a project: the Start screen's calls.
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ProjectInfo } from '../../../shared/api.js';
import { gitInit } from '../../git/init.js';
import { createDemoProject } from '../../project/demo.js';
import { readProjectInfo } from '../../project/project-info.js';
import { trustProject } from '../../project/trust.js';
import { trustDir } from './trust.js';
import type { Handlers, StudioContext } from '../context.js';
import { fail } from '../errors.js';

export async function openProject(ctx: StudioContext, dir: string): Promise<ProjectInfo> {
  const { session, live } = ctx;
  const abs = path.resolve(dir);
  // Checked again after the folder is read: a Start pressed meanwhile belongs to the project still open.
  const refuseSwitch = () => {
    const run = live.owned();
    if (run && run.state() !== 'stopped' && run.projectDir !== abs) {
      throw fail(`A run is live in ${run.projectDir}. Stop it before opening another project.`, 'conflict');
    }
    const startingIn = ctx.starts.startingIn();
    if (startingIn && startingIn !== abs) throw fail(`A run is starting in ${startingIn}. Wait until it has started (and stop it) before opening another project.`, 'conflict');
  };
  refuseSwitch();
  let info: ProjectInfo;
  try {
    info = await readProjectInfo(abs);
  } catch (err) {
    throw fail((err as Error).message, 'not-found');
  }
  refuseSwitch();
  if (live.followed() && session.current()?.dir !== abs) live.unfollow();
  // Said in the same tick as the switch: an answer computed for the new project never reaches the page
  // before the page knows the project changed.
  session.switchTo(info);
  await session.remember(info.dir);
  await session.pushRuns();
  if (session.current()?.dir === info.dir) ctx.push({ type: 'live', project: info.dir, live: live.live(info.dir) });
  return info;
}

export function projectHandlers(ctx: StudioContext): Handlers<'openProject' | 'chooseProject' | 'listFolders' | 'createDemo' | 'gitInit' | 'closeProject'> {
  const { deps, session } = ctx;
  return {
    openProject: async ({ dir }) => openProject(ctx, dir),
    chooseProject: async () => {
      if (!deps.chooseFolder) {
        throw fail('There is no folder picker in the browser. Type the folder path on the machine that runs autoresearch serve.', 'failed');
      }
      const dir = await deps.chooseFolder();
      return dir ? openProject(ctx, dir) : null;
    },
    listFolders: async ({ dir }) => {
      if (!path.isAbsolute(dir)) throw fail(`Type a full path (starting with ${path.sep}) to see the folders in it.`, 'invalid-args');
      const abs = path.resolve(dir);
      const entries = await readdir(abs, { withFileTypes: true }).catch(() => null);
      if (!entries) throw fail(`${abs} is not a folder that can be read.`, 'not-found');
      const folders = entries
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort((a, b) => a.localeCompare(b))
        .slice(0, 500);
      return { dir: abs, folders };
    },
    createDemo: async ({ dir }) => {
      let target = dir ? path.resolve(dir) : '';
      if (!target) {
        await mkdir(deps.dataDir, { recursive: true });
        // Only picks a free name: a clash is refused by createDemoProject, which says so.
        const taken = new Set(await readdir(deps.dataDir).catch(() => [] as string[]));
        let n = 1;
        while (taken.has(n === 1 ? 'demo' : `demo-${n}`)) n += 1;
        target = path.join(deps.dataDir, n === 1 ? 'demo' : `demo-${n}`);
      }
      try {
        await createDemoProject(deps.appRoot, target);
      } catch (err) {
        throw fail((err as Error).message, 'conflict');
      }
      // The demo is the app's own code, copied just now: trusted as it is.
      await trustProject(trustDir(ctx), target);
      return openProject(ctx, target);
    },
    gitInit: async () => {
      const p = session.require();
      if (p.isGit) throw fail(`${p.dir} is already a git repository.`, 'conflict');
      await gitInit(p.dir);
      await session.refresh();
      return session.current()!;
    },
    closeProject: async () => {
      const run = ctx.live.owned();
      if (run && run.state() !== 'stopped') throw fail('Stop the run before closing the project.', 'conflict');
      if (ctx.starts.startingIn()) throw fail('A run is starting. Wait until it has started (and stop it) before closing the project.', 'conflict');
      ctx.live.unfollow();
      session.close();
      return null;
    },
  };
}
