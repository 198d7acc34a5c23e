// A tiny terminal model for log output: training scripts redraw their progress line with `\r`, so showing
// the raw text would stack hundreds of half-lines. A carriage return moves the cursor to column 0 and the
// following text overwrites what is there, exactly as a terminal shows it; `\r\n` is an ordinary newline.
// Colour and cursor escape sequences are dropped (erase-line is honoured, tqdm uses it).

export interface TerminalState {
  /** Completed lines, oldest first, at most maxLines. */
  readonly lines: readonly string[];
  /** The line being written (no newline yet). */
  readonly current: string;
  readonly col: number;
  readonly maxLines: number;
  /** Completed lines dropped from the top to respect maxLines. */
  readonly dropped: number;
  /** An escape sequence cut in half by a chunk boundary, finished by the next chunk. */
  readonly pending: string;
}

export function createTerminal(maxLines = 200): TerminalState {
  return { lines: [], current: '', col: 0, maxLines: Math.max(1, maxLines), dropped: 0, pending: '' };
}

// CSI: ESC [ parameters intermediates final-byte. OSC: ESC ] ... BEL or ESC \. Other ESC x: two bytes.
const ESCAPE = /\x1b(?:\[([0-?]*)[ -/]*([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/y;
const INCOMPLETE_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*\x1b?)?$/;
const SPECIAL = /[\r\n\b\x1b]/;
const SPECIAL_GLOBAL = /[\r\n\b\x1b]/g;
/** A stored line longer than this is shown from its tail: what a terminal shows is decided at the end. */
const MAX_RENDERED_LINE = 65_536;

function overwrite(line: string, col: number, text: string): string {
  const padded = line.length < col ? line + ' '.repeat(col - line.length) : line;
  return padded.slice(0, col) + text + padded.slice(col + text.length);
}

/** Feed a chunk of output; returns the new state (the old one is untouched). */
export function feedTerminal(state: TerminalState, chunk: string): TerminalState {
  let text = state.pending + chunk;
  let pending = '';
  const cut = INCOMPLETE_ESCAPE.exec(text);
  if (cut && cut[0].length > 0) {
    pending = cut[0];
    text = text.slice(0, cut.index);
  }
  const completed: string[] = [];
  let current = state.current;
  let col = state.col;
  let i = 0;
  while (i < text.length) {
    SPECIAL_GLOBAL.lastIndex = i;
    const found = SPECIAL_GLOBAL.exec(text);
    const plainEnd = found ? found.index : text.length;
    if (plainEnd > i) {
      const plain = text.slice(i, plainEnd);
      current = overwrite(current, col, plain);
      col += plain.length;
      i = plainEnd;
      continue;
    }
    const ch = text[i];
    if (ch === '\n') {
      completed.push(current);
      current = '';
      col = 0;
      i += 1;
    } else if (ch === '\r') {
      col = 0;
      i += 1;
    } else if (ch === '\b') {
      col = Math.max(0, col - 1);
      i += 1;
    } else {
      ESCAPE.lastIndex = i;
      const m = ESCAPE.exec(text);
      if (!m) {
        // A lone ESC: drop it rather than print a control character.
        i += 1;
        continue;
      }
      if (m[2] === 'K') {
        const mode = m[1] || '0';
        if (mode === '0') current = current.slice(0, col);
        else if (mode === '1') current = ' '.repeat(Math.min(col, current.length)) + current.slice(col);
        else current = '';
      } else if (m[2] === 'G') {
        col = Math.max(0, Number(m[1] || '1') - 1);
      }
      i += m[0].length;
    }
  }
  if (completed.length === 0) return { ...state, current, col, pending };
  const all = state.lines.length + completed.length;
  const overflow = Math.max(0, all - state.maxLines);
  const lines =
    overflow === 0
      ? [...state.lines, ...completed]
      : overflow >= state.lines.length
        ? completed.slice(overflow - state.lines.length)
        : [...state.lines.slice(overflow), ...completed];
  return { ...state, lines, current, col, pending, dropped: state.dropped + overflow };
}

/** What the terminal shows: the completed lines and the current one (when it has text). */
export function terminalLines(state: TerminalState): readonly string[] {
  if (state.current === '') return state.lines;
  const lines = [...state.lines, state.current];
  return lines.length > state.maxLines ? lines.slice(lines.length - state.maxLines) : lines;
}

/** One stored line of a log (split on \n) as a terminal would show it. */
export function renderTerminalLine(line: string): string {
  if (!SPECIAL.test(line)) return line;
  let text = line;
  if (text.length > MAX_RENDERED_LINE) {
    const from = text.indexOf('\r', text.length - MAX_RENDERED_LINE);
    text = from === -1 ? text.slice(text.length - MAX_RENDERED_LINE) : text.slice(from);
  }
  const state = feedTerminal(createTerminal(1), text);
  return state.lines.length ? state.lines[state.lines.length - 1]! + state.current : state.current;
}

/**
 * Joins a log's tail read from disk with the output pushed around that read. The file and the push get the same
 * chunks (the push a batch later), so pushes held while the tail was read, and the first ones after it, may hold
 * output the tail already shows: fed as they came, a new experiment's first lines showed twice, glued on one line.
 * The pushes since the view opened are placed in the tail where they agree with it (at the earliest place in its
 * last 64 KB where all they have in common matches); what the tail already holds is skipped, the rest fed. Pushes
 * that agree with nothing in the tail are fed whole, as before. `push` returns what to feed.
 */
export function createTailJoin(tail: string): { push(text: string): string } {
  // What of the tail the pushes have yet to repeat, once placed; null: not placed yet; '' : done.
  let rest: string | null = tail ? null : '';
  const place = (pushed: string): string => {
    const from = Math.max(0, tail.length - 65_536);
    const probe = pushed.slice(0, 64);
    const agrees = (p: number) => {
      const n = Math.min(tail.length - p, pushed.length);
      return n > 0 && tail.startsWith(pushed.slice(0, n), p);
    };
    let at = -1;
    for (let p = tail.indexOf(probe, from); p !== -1; p = tail.indexOf(probe, p + 1)) {
      if (agrees(p)) {
        at = p;
        break;
      }
    }
    // The pushes may begin in the tail's last few characters, past where the whole probe fits.
    if (at === -1) for (let p = Math.max(from, tail.length - probe.length + 1); p < tail.length && at === -1; p++) if (agrees(p)) at = p;
    if (at === -1) {
      rest = '';
      return pushed;
    }
    const covered = tail.length - at;
    if (pushed.length >= covered) {
      rest = '';
      return pushed.slice(covered);
    }
    rest = tail.slice(at + pushed.length);
    return '';
  };
  return {
    push(text) {
      if (!text || rest === '') return text;
      if (rest === null) return place(text);
      // Placed, and the tail still holds more than was pushed: skip it as it comes, or stop skipping where it differs.
      const n = Math.min(rest.length, text.length);
      if (text.slice(0, n) !== rest.slice(0, n)) {
        rest = '';
        return text;
      }
      rest = rest.slice(n);
      return text.slice(n);
    },
  };
}
