// A three-way merge of one text file with zero lines of context, for carrying a proposal onto a best that moved.
// git's merge takes two changes on touching lines for a conflict (it needs a line of context between them), and
// a hyperparameter block is exactly that: LEARNING_RATE changed by the best, BATCH_SIZE on the next line by the
// proposal made meanwhile. Those two changes do not overlap, so this merge takes both; changes to the same lines
// (or two insertions at the same place) are still a conflict. Inputs are the hunks of `git diff -U0`.

export interface Hunk {
  /** First base line the hunk replaces (1-based); for a pure insertion, the base line it goes after (0 = top). */
  readonly start: number;
  /** Base lines replaced (0: a pure insertion). */
  readonly count: number;
  /** The lines put in their place. */
  readonly lines: readonly string[];
}

/** The hunks of a `git diff -U0` of one file (no "\ No newline" markers: the caller gives up on those). */
export function parseZeroContextHunks(patch: string): Hunk[] | null {
  const hunks: Hunk[] = [];
  let current: { start: number; count: number; lines: string[] } | null = null;
  for (const line of patch.split('\n')) {
    const head = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@/.exec(line);
    if (head) {
      if (current) hunks.push(current);
      const count = head[2] === undefined ? 1 : Number(head[2]);
      current = { start: Number(head[1]), count, lines: [] };
      continue;
    }
    if (!current) continue;
    if (line.startsWith('\\')) return null;
    if (line.startsWith('+')) current.lines.push(line.slice(1));
  }
  if (current) hunks.push(current);
  return hunks;
}

/** The base lines a hunk touches, as a half-open interval; an insertion is a point between two lines. */
function span(h: Hunk): { from: number; to: number } {
  // A replacement of lines start..start+count-1 covers [start, start+count); an insertion after line `start`
  // sits at start + 0.5.
  return h.count === 0 ? { from: h.start + 0.5, to: h.start + 0.5 } : { from: h.start, to: h.start + h.count };
}

function clash(a: Hunk, b: Hunk): boolean {
  const x = span(a);
  const y = span(b);
  if (x.from === x.to && y.from === y.to) return x.from === y.from;
  if (x.from === x.to) return x.from > y.from && x.from < y.to;
  if (y.from === y.to) return y.from > x.from && y.from < x.to;
  return x.from < y.to && y.from < x.to;
}

const sameHunk = (a: Hunk, b: Hunk) => a.start === b.start && a.count === b.count && a.lines.length === b.lines.length && a.lines.every((l, i) => l === b.lines[i]);

/**
 * `base` with both sides' hunks applied, or null when two hunks touch the same base lines (the same change made
 * on both sides counts once). `base` is the file's lines without a trailing newline split.
 */
export function mergeZeroContext(base: readonly string[], ours: readonly Hunk[], theirs: readonly Hunk[]): string[] | null {
  const extra = theirs.filter((t) => !ours.some((o) => sameHunk(o, t)));
  for (const t of extra) if (ours.some((o) => clash(o, t))) return null;
  const all = [...ours, ...extra].sort((a, b) => span(a).from - span(b).from);
  const out: string[] = [];
  let next = 1;
  for (const h of all) {
    const upTo = h.count === 0 ? h.start : h.start - 1;
    while (next <= upTo) out.push(base[next++ - 1]!);
    if (h.count > 0) next = h.start + h.count;
    out.push(...h.lines);
  }
  while (next <= base.length) out.push(base[next++ - 1]!);
  return out;
}
