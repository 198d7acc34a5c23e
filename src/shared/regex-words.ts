// A regular expression's syntax error in words. The engine's own message repeats the pattern in slashes with
// internal wording ("Invalid regular expression: /val_bpb:\s*(|/: Unterminated group"); the setup form says
// what is wrong and how to fix it instead. Pure (no Node, no DOM).

const EXAMPLE = 'e.g. val_bpb:\\s*([0-9.]+)';

const REASONS: readonly (readonly [RegExp, string])[] = [
  [/unterminated group/i, `a "(" is never closed: add the ")" that ends the group, ${EXAMPLE}`],
  [/unmatched '\)'/i, 'a ")" has no "(" before it: remove it, or write \\) for a literal parenthesis'],
  [/unterminated character class/i, 'a "[" is never closed: add the "]" that ends the set of characters, or write \\[ for a literal bracket'],
  [/nothing to repeat/i, 'a *, + or ? follows nothing it could repeat: write \\*, \\+ or \\? for the character itself'],
  [/\\ at end of pattern/i, 'the pattern ends with a lone backslash: remove it, or write \\\\ for a literal backslash'],
  [/lone quantifier brackets|incomplete quantifier/i, 'a "{" or "}" is not a repetition like {2,3}: write \\{ or \\} for the character itself'],
  [/numbers out of order/i, 'a repetition {n,m} has n larger than m: write the smaller number first'],
  [/range out of order/i, 'a range in [ ] goes backwards (like [9-0]): write the lower character first'],
  [/invalid capture group name/i, 'a named group needs a name of letters and digits between < and >, like (?<value>[0-9.]+)'],
  [/invalid group/i, 'a "(?" starts a group JavaScript does not know: use ( ) for the number, or (?: ) for a group that captures nothing'],
  [/invalid escape|invalid unicode escape|invalid property name/i, 'it has a backslash escape JavaScript does not know: remove the backslash, or write \\\\ for a literal one'],
];

/** "The pattern is not a valid regular expression: a "(" is never closed: …". */
export function describeRegexError(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  const reason = REASONS.find(([re]) => re.test(raw))?.[1];
  // Anything else: the engine's reason without its copy of the pattern.
  const fallback = raw.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '').toLowerCase();
  return `The pattern is not a valid regular expression: ${reason ?? fallback}`;
}
