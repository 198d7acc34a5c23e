// Finds numeric constants in top-level assignments: `LEARNING_RATE = 0.01` (Python, also with a type
// annotation) and `const HIDDEN = 64;` (JS/TS, also `export`, `let`, `var`, with a type annotation).
// Only unindented lines count: a constant inside a function is not a hyperparameter we should touch.

export interface NumericConstant {
  readonly file: string;
  readonly name: string;
  /** 0-based line index. */
  readonly line: number;
  /** The literal as written, e.g. "0.01", "3e-4", "1_000". */
  readonly literal: string;
  readonly value: number;
  readonly isFloat: boolean;
  /** Character offsets of the literal within the line. */
  readonly start: number;
  readonly end: number;
}

const NUMBER = String.raw`-?(?:\d[\d_]*\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)`;
const PYTHON = new RegExp(String.raw`^([A-Za-z_]\w*)\s*(?::\s*[A-Za-z_][\w\[\], .]*)?=\s*(${NUMBER})\s*(?:#.*)?$`);
const JS = new RegExp(String.raw`^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*[A-Za-z_][\w<>\[\] |]*)?=\s*(${NUMBER})\s*;?\s*(?:\/\/.*)?$`);

export function languageOf(file: string): 'python' | 'js' | null {
  if (/\.pyi?$/.test(file)) return 'python';
  if (/\.(?:[cm]?[jt]s|[jt]sx)$/.test(file)) return 'js';
  return null;
}

/** Seeds are not hyperparameters: a "better seed" is noise, the classic false win. */
const NOT_TUNABLE = /seed|random_state|version|port|^(?:DEBUG|VERBOSE)$/i;

export function findConstants(file: string, text: string): NumericConstant[] {
  const lang = languageOf(file);
  if (!lang) return [];
  const pattern = lang === 'python' ? PYTHON : JS;
  const found: NumericConstant[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.length === 0 || /^\s/.test(line)) continue;
    const m = pattern.exec(line);
    if (!m) continue;
    const [, name, literal] = m as unknown as [string, string, string];
    if (NOT_TUNABLE.test(name)) continue;
    // Hyperparameters are constants: UPPER_CASE names, or a JS `const`. A top-level `let step = 0` or
    // Python `step = 0` is state, not a knob.
    const isConstDecl = lang === 'js' && /^(?:export\s+)?const\s/.test(line);
    if (!isConstDecl && !/^[A-Z][A-Z0-9_]*$/.test(name)) continue;
    const value = Number(literal.replace(/_/g, ''));
    if (!Number.isFinite(value)) continue;
    const offset = line.indexOf(literal, line.indexOf('=') + 1);
    found.push({
      file,
      name,
      line: i,
      literal,
      value,
      isFloat: /[.eE]/.test(literal),
      start: offset,
      end: offset + literal.length,
    });
  }
  return found;
}

/** Replace one constant's literal in `text`; the rest of the file stays byte-identical. */
export function replaceConstant(text: string, c: NumericConstant, literal: string): string {
  const lines = text.split('\n');
  const line = lines[c.line]!;
  lines[c.line] = line.slice(0, c.start) + literal + line.slice(c.end);
  return lines.join('\n');
}
