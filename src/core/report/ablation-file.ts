// The saved ablation of a run (.autoresearch/runs/<tag>/ablation.json): written whole and atomically by
// `autoresearch ablate` / the History's Ablate button, read by both reports, the History view and finalize.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AblationSchema, type Ablation } from '../../shared/ablation.js';
import { runPaths } from '../project/paths.js';

export const ablationFile = (projectDir: string, tag: string) => path.join(runPaths(projectDir, tag).dir, 'ablation.json');

/** The run's ablation; null when none was made. A file that is not a valid ablation is an error that says which file. */
export async function readAblation(projectDir: string, tag: string): Promise<Ablation | null> {
  const file = ablationFile(projectDir, tag);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  const result = AblationSchema.safeParse(parsed);
  if (!result.success) throw new Error(`${file} is not a valid ablation; delete it and run \`autoresearch ablate --tag ${tag}\` again.`);
  return result.data;
}

/** Temp file + rename: a reader never sees half an ablation, and a crash leaves the previous one. */
export async function writeAblation(projectDir: string, ablation: Ablation): Promise<string> {
  const file = ablationFile(projectDir, ablation.tag);
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, JSON.stringify(ablation, null, 2) + '\n', 'utf8');
  await rename(temp, file);
  return file;
}
