// The bundled demo (resources/demo): a tiny JS language model that runs on the app's own Node.
import { cp, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { gitInit } from '../git/init.js';
import { ProjectError } from './project-info.js';

export const demoSource = (appRoot: string) => path.join(appRoot, 'resources', 'demo');

/** Copy the demo into `dir` (absent or empty) and make it a git repository with a first commit. */
export async function createDemoProject(appRoot: string, dir: string): Promise<string> {
  const target = path.resolve(dir);
  const source = demoSource(appRoot);
  if (!(await stat(source).catch(() => null))) {
    throw new ProjectError(`The demo project is missing from the app (${source}). Reinstall the app.`);
  }
  const existing = await readdir(target).catch(() => null);
  if (existing && existing.length > 0) {
    throw new ProjectError(`${target} is not empty. Choose a new folder for the demo (it will be created).`);
  }
  await mkdir(target, { recursive: true });
  await cp(source, target, { recursive: true });
  await gitInit(target, 'Demo project (Autoresearch Studio)');
  return target;
}
