// The one place that creates git clients. Everything else is one verb per file over this.
import { simpleGit, type SimpleGit } from 'simple-git';

/** Used only when the user has no git identity configured, so the app's commits never fail on it. */
export const FALLBACK_IDENTITY = { name: 'Autoresearch Studio', email: 'autoresearch@localhost' } as const;

const identityKnown = new Map<string, boolean>();

export function git(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir, maxConcurrentProcesses: 4, trimmed: false });
}

/** A client that can commit: adds the fallback identity when the repository has none. */
export async function gitForCommit(dir: string): Promise<SimpleGit> {
  let known = identityKnown.get(dir);
  if (known === undefined) {
    const email = await git(dir).raw(['config', '--get', 'user.email']).catch(() => '');
    const name = await git(dir).raw(['config', '--get', 'user.name']).catch(() => '');
    known = email.trim() !== '' && name.trim() !== '';
    identityKnown.set(dir, known);
  }
  if (known) return git(dir);
  return simpleGit({
    baseDir: dir,
    config: [`user.name=${FALLBACK_IDENTITY.name}`, `user.email=${FALLBACK_IDENTITY.email}`],
  });
}

export async function raw(dir: string, args: string[]): Promise<string> {
  return git(dir).raw(args);
}
