// The agent's final words become the experiment's one-line description and its hypothesis. The first
// non-empty line is the description (markdown decoration removed); the rest is the hypothesis. Agent CLIs
// whose output carries other chatter can mark the two with `DESCRIPTION:` and `HYPOTHESIS:` lines.

export const MAX_DESCRIPTION_CHARS = 120;

export interface Description {
  readonly description: string;
  readonly hypothesis: string;
}

/** Remove heading marks, emphasis, list bullets, quotes and a "Description:" label from one line. */
export function cleanDescriptionLine(line: string): string {
  let s = line.trim();
  for (let i = 0; i < 4; i++) {
    const before = s;
    s = s
      .replace(/^#{1,6}\s*/, '')
      .replace(/^>\s*/, '')
      .replace(/^(?:[-*+]|\d+[.)])\s+/, '')
      .replace(/^(?:\*\*|__|\*|_|`)+/, '')
      .replace(/(?:\*\*|__|\*|_|`)+$/, '')
      .replace(/^(?:one-line\s+)?(?:description|summary|change|experiment)\s*:\s*/i, '')
      .replace(/^["'“”‘’]+/, '')
      .replace(/["'“”‘’]+$/, '')
      .trim();
    if (s === before) break;
  }
  return s.replace(/\s+/g, ' ');
}

export function truncateDescription(s: string, max = MAX_DESCRIPTION_CHARS): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}

const MARKER = /^\s*(?:[*_#>\s-]*)(DESCRIPTION|HYPOTHESIS)\s*[:：]\s*(.*)$/i;

function fromMarkers(lines: readonly string[]): Description | null {
  let description: string | null = null;
  let hypothesis: string[] | null = null;
  let inHypothesis = false;
  for (const line of lines) {
    const m = MARKER.exec(line);
    if (m) {
      // The last marked block wins: agents sometimes restate the instructions before answering.
      if (m[1]!.toUpperCase() === 'DESCRIPTION') {
        description = m[2]!;
        hypothesis = null;
        inHypothesis = false;
      } else {
        hypothesis = [m[2]!];
        inHypothesis = true;
      }
    } else if (inHypothesis && hypothesis) {
      hypothesis.push(line);
    }
  }
  if (description === null) return null;
  const cleaned = cleanDescriptionLine(description);
  if (!cleaned) return null;
  return { description: truncateDescription(cleaned), hypothesis: (hypothesis ?? []).join('\n').trim() };
}

/** null when the text holds no usable description (empty, or only decoration). */
export function describeFromText(text: string): Description | null {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const marked = fromMarkers(lines);
  if (marked) return marked;
  for (let i = 0; i < lines.length; i++) {
    const cleaned = cleanDescriptionLine(lines[i]!);
    if (!cleaned || /^(?:```|---+|\*\*\*+)$/.test(lines[i]!.trim())) continue;
    const full = cleaned;
    const description = truncateDescription(full);
    const rest = lines.slice(i + 1).join('\n').trim();
    // A description cut short keeps its whole text at the head of the hypothesis, so nothing is lost.
    const hypothesis = description === full ? rest : [full, rest].filter(Boolean).join('\n\n');
    return { description, hypothesis };
  }
  return null;
}
