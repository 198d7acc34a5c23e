// The project folder check every command starts with, apart from project-info.ts so that `autoresearch status`
// loads it without the config schemas and git helpers that project-info.ts brings (their zod schemas are built
// as the module loads: tens of milliseconds of a reopen that should take a few hundred).
import { stat } from 'node:fs/promises';
import path from 'node:path';

export class ProjectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectError';
  }
}

export async function assertProjectDir(dir: string): Promise<string> {
  const abs = path.resolve(dir);
  const info = await stat(abs).catch(() => null);
  if (!info) throw new ProjectError(`${abs} does not exist. Check the path, or create the folder first.`);
  if (!info.isDirectory()) throw new ProjectError(`${abs} is a file, not a folder. Open the folder that contains it.`);
  return abs;
}
