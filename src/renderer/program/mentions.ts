// Which project files program.md names that the agent may not edit. program.md often says "edit only
// train.py"; if train.py is not in the editable list the harness will reject every proposal, so say so.
import picomatch from 'picomatch';

// A path-like word with an extension: train.py, src/model/attn.ts, `prepare.py`.
const FILE_LIKE = /(?<![\w./-])([\w.-]+(?:\/[\w.-]+)*\.[A-Za-z0-9]{1,8})(?![\w/-])/g;

/** Project files mentioned in the text (exact paths, or a bare name that is unique in the project). */
export function mentionedFiles(text: string, projectFiles: readonly string[]): string[] {
  const exact = new Set(projectFiles);
  const byName = new Map<string, string[]>();
  for (const f of projectFiles) {
    const name = f.slice(f.lastIndexOf('/') + 1);
    byName.set(name, [...(byName.get(name) ?? []), f]);
  }
  const found = new Set<string>();
  for (const m of text.matchAll(FILE_LIKE)) {
    const word = m[1]!.replace(/^\.\//, '').replace(/\.$/, '');
    if (exact.has(word)) found.add(word);
    else {
      const same = byName.get(word);
      if (same && same.length === 1) found.add(same[0]!);
    }
  }
  return [...found].sort();
}

/** The mentioned files that no editable pattern matches (program.md itself is the app's, not the agent's). */
export function notEditable(mentioned: readonly string[], editable: readonly string[]): string[] {
  const candidates = mentioned.filter((f) => f !== 'program.md');
  if (editable.length === 0) return candidates;
  const isEditable = picomatch([...editable], { dot: true });
  return candidates.filter((f) => !isEditable(f));
}

/** Words that say a file is off limits ("prepare.py is read-only", "never touch data/x.csv"). */
const HANDS_OFF = /read[- ]?only|never|don'?t|do not|must not|cannot|can't|not (?:be )?(?:edit|chang|touch|modif)|protected|untouched|unchanged|leave .* alone/i;

/**
 * Files program.md names as things to work on: mentions in a sentence that says a file is off limits
 * are left out, so "prepare.py is read-only" does not raise a warning, while "tune prepare.py" does.
 */
export function mentionedForEditing(text: string, projectFiles: readonly string[]): string[] {
  const found = new Set<string>();
  for (const sentence of text.split(/[.!?](?=\s|$)|\n/)) {
    if (HANDS_OFF.test(sentence)) continue;
    for (const f of mentionedFiles(sentence, projectFiles)) found.add(f);
  }
  return [...found].sort();
}
