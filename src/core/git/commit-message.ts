// The messages of the commits the app makes: a subject, an optional body, and the trailers that tie a commit
// to its run (`git log --grep "Autoresearch-Run: <tag>"` finds them all). One helper for the loop's
// commits and finalize's, so the trailer is spelled in one place.

/** `Autoresearch-Run: <tag>` and the given trailer lines, one a line. */
export function runTrailer(tag: string, lines: readonly string[]): string {
  return [`Autoresearch-Run: ${tag}`, ...lines].join('\n');
}

/** A commit message: the subject, the body (left out when empty) and the run's trailer, blank-line separated. */
export function commitMessage(subject: string, body: string, tag: string, trailers: readonly string[]): string {
  return `${subject}\n\n${body}\n\n${runTrailer(tag, trailers)}`.replace(/\n{3,}/g, '\n\n');
}

/** The message of a commit the loop makes for experiment `id`. */
export function experimentCommitMessage(tag: string, id: number, subject: string, body = ''): string {
  return commitMessage(subject, body, tag, [`Autoresearch-Experiment: ${id}`]);
}

/**
 * The message of experiment `id`'s change carried onto experiment `ontoId`. One spelling for every carry: a carry
 * made ahead (loop/pre-carry.ts) is found again only by the same commit, base and message.
 */
export function carriedMessage(tag: string, id: number, description: string, ontoId: number | null): string {
  return experimentCommitMessage(tag, id, `${description} (carried onto #${ontoId})`);
}
