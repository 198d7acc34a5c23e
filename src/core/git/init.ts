import { git, identityArgs, raw } from './git.js';

/** Make `dir` a git repository with one commit of everything not ignored. */
export async function gitInit(dir: string, message = 'Initial commit (by Autoresearch Studio)'): Promise<string> {
  await git(dir).init(['--initial-branch=main']).catch(() => git(dir).init());
  await raw(dir, ['add', '-A']);
  await raw(dir, [...(await identityArgs(dir)), 'commit', '--quiet', '--allow-empty', '--no-verify', '-m', message]);
  return (await raw(dir, ['rev-parse', 'HEAD'])).trim();
}
