import { identityArgs, raw } from './git.js';

/** Make `dir` a git repository with one commit of everything not ignored. */
export async function gitInit(dir: string, message = 'Initial commit (by Autoresearch Studio)'): Promise<string> {
  await raw(dir, ['init', '--quiet', '--initial-branch=main']).catch(() => raw(dir, ['init', '--quiet']));
  await raw(dir, ['add', '-A']);
  await raw(dir, [...(await identityArgs(dir)), 'commit', '--quiet', '--allow-empty', '--no-verify', '-m', message]);
  return (await raw(dir, ['rev-parse', 'HEAD'])).trim();
}
