// Load and save .autoresearch/config.json. Loading never throws for a bad file: it says what is wrong
// (the setup form shows the errors next to the fields; the CLI prints them).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type FieldError, type ProjectConfig, parseConfig } from '../../shared/config.js';
import { projectPaths } from './paths.js';

export type LoadedConfig =
  | { readonly state: 'missing' }
  | { readonly state: 'invalid'; readonly errors: readonly FieldError[]; readonly raw: unknown }
  | { readonly state: 'ok'; readonly config: ProjectConfig };

export async function loadConfig(projectDir: string): Promise<LoadedConfig> {
  const file = projectPaths(projectDir).config;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    return { state: 'invalid', raw: null, errors: [{ path: '', message: `Cannot read ${file}: ${(err as Error).message}` }] };
  }
  let raw: unknown;
  try {
    // Windows editors save UTF-8 with a byte-order mark, which JSON.parse refuses with an invisible character.
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return {
      state: 'invalid',
      raw: null,
      errors: [{ path: '', message: `${file} is not valid JSON (${(err as Error).message}). Fix it by hand, or delete it and run \`autoresearch init\` again.` }],
    };
  }
  const parsed = parseConfig(raw);
  return parsed.ok ? { state: 'ok', config: parsed.config } : { state: 'invalid', errors: parsed.errors, raw };
}

/** Write atomically (temp file + rename), so a crash mid-save never leaves half a config. */
export async function saveConfig(projectDir: string, config: ProjectConfig): Promise<void> {
  const file = projectPaths(projectDir).config;
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(config, null, 2) + '\n', 'utf8');
  await rename(tmp, file);
}
