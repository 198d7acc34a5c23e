// program.md, read and written only as a regular file of the project: a project folder from someone else may
// hold a program.md that is a symbolic link (to ~/.bashrc, say), and saving through it would overwrite that file.
import { lstat, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class ProgramFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProgramFileError';
  }
}

async function check(file: string): Promise<boolean> {
  const info = await lstat(file).catch(() => null);
  if (!info) return false;
  if (info.isSymbolicLink()) throw new ProgramFileError(`${path.basename(file)} is a symbolic link; the app reads and writes it only as a regular file. Replace the link with a copy of the file.`);
  if (!info.isFile()) throw new ProgramFileError(`${path.basename(file)} is not a regular file. Remove it, or rename it, and write the program again.`);
  if (info.nlink > 1) throw new ProgramFileError(`${path.basename(file)} has other hard links; saving would change those files too. Replace it with a copy (cp program.md p && mv p program.md).`);
  return true;
}

/** The text of program.md, or null when there is none. Throws ProgramFileError for a link or special file. */
export async function readProgramFile(file: string): Promise<string | null> {
  if (!(await check(file))) return null;
  return readFile(file, 'utf8');
}

/** Writes program.md through a sibling file and a rename, so nothing outside the project is ever written. */
export async function writeProgramFile(file: string, text: string): Promise<void> {
  await check(file);
  const tmp = `${file}.autoresearch-${process.pid}-${Date.now()}.tmp`;
  try {
    await writeFile(tmp, text, { encoding: 'utf8', flag: 'wx' });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
