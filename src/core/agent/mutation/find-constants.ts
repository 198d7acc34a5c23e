// Finds the numeric hyperparameters of the editable files where real projects keep them:
// - Python: top-level constants (`LEARNING_RATE = 0.01`, also annotated), `parser.add_argument('--lr',
//   default=5e-4)`, fields of a dataclass or a config class (`n_layer: int = 4`), and keyword defaults of
//   a config class's `__init__` (`def __init__(self, lr=3e-4)`);
// - JS/TS: top-level `const HIDDEN = 64;` (also `export`, `let`, `var`, annotated);
// - YAML (`lr: 0.001`), TOML (`lr = 0.001` under `[optim]`) and JSON (`"lr": 0.001`) config files,
//   named by their dotted path (`optim.lr`).
// Code inside functions is not a hyperparameter we should touch: only the shapes above count.

export type ValueKind = 'int' | 'pow2' | 'float' | 'prob';

export interface NumericConstant {
  readonly file: string;
  /** Unique among the constants of one proposal; no spaces (it is parsed back from descriptions). */
  readonly name: string;
  /** 0-based line index. */
  readonly line: number;
  /** The literal as written, e.g. "0.01", "3e-4", "1_000". */
  readonly literal: string;
  readonly value: number;
  readonly isFloat: boolean;
  /** What values it may take: ints stay ints, powers of two stay powers of two, probabilities in [0, 1]. */
  readonly kind: ValueKind;
  /** Character offsets of the literal within the line. */
  readonly start: number;
  readonly end: number;
}

const NUMBER = String.raw`-?(?:\d[\d_]*\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)`;
const PYTHON = new RegExp(String.raw`^([A-Za-z_]\w*)\s*(?::\s*[A-Za-z_][\w\[\], .]*)?=\s*(${NUMBER})\s*(?:#.*)?$`);
const JS = new RegExp(String.raw`^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*[A-Za-z_][\w<>\[\] |]*)?=\s*(${NUMBER})\s*;?\s*(?:\/\/.*)?$`);
const YAML = new RegExp(String.raw`^(\s*)(?:-\s+)?([A-Za-z_][\w.-]*|"[^"]+"|'[^']+')\s*:\s+(${NUMBER})\s*(?:#.*)?$`);
const TOML = new RegExp(String.raw`^\s*([A-Za-z_][\w-]*|"[^"]+")\s*=\s*(${NUMBER})\s*(?:#.*)?$`);

type Language = 'python' | 'js' | 'yaml' | 'toml' | 'json';

export function languageOf(file: string): Language | null {
  if (/\.pyi?$/.test(file)) return 'python';
  if (/\.(?:[cm]?[jt]s|[jt]sx)$/.test(file)) return 'js';
  if (/\.ya?ml$/.test(file)) return 'yaml';
  if (/\.toml$/.test(file)) return 'toml';
  if (/\.json$/.test(file)) return 'json';
  return null;
}

/** Seeds, ports and logging cadence are not hyperparameters: a "better seed" is noise, the classic false win. */
const NOT_TUNABLE = /seed|random_state|version|port$|^(?:debug|verbose)$|log_?(?:interval|every|freq)|eval_?(?:interval|every|iters?)|save|checkpoint|print|num_workers|workers|world_size|rank|device|gpu/i;
/** Names whose value is a probability or a fraction: it must stay in [0, 1]. */
const PROBABILITY = /drop|prob|frac|ratio|beta|momentum|smooth|^p$|_p$|keep|mask/i;
/** Names of sizes that are conventionally powers of two. */
const SIZE = /batch|hidden|dim|embd|emb|width|size|head|block|ctx|context|seq|vocab|channel|token|len|units/i;

const isPowerOfTwo = (v: number) => Number.isInteger(v) && v >= 2 && (v & (v - 1)) === 0;

export function kindOf(name: string, value: number, isFloat: boolean): ValueKind {
  if (!isFloat) return isPowerOfTwo(value) && (value >= 16 || SIZE.test(name)) ? 'pow2' : 'int';
  if (value >= 0 && value < 1 && (value >= 0.5 || PROBABILITY.test(name))) return 'prob';
  return 'float';
}

interface Raw {
  readonly name: string;
  /** Absolute offset of the literal in the text. */
  readonly offset: number;
  readonly literal: string;
}

export function findConstants(file: string, text: string): NumericConstant[] {
  const lang = languageOf(file);
  if (!lang) return [];
  const raw =
    lang === 'python' ? findPython(text) : lang === 'js' ? findJs(text) : lang === 'yaml' ? findYaml(text) : lang === 'toml' ? findToml(text) : findJson(text);
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const found: NumericConstant[] = [];
  const seenOffsets = new Set<number>();
  for (const r of raw) {
    const last = r.name.split('.').pop()!;
    if (NOT_TUNABLE.test(last) || seenOffsets.has(r.offset)) continue;
    const value = Number(r.literal.replace(/_/g, ''));
    if (!Number.isFinite(value)) continue;
    seenOffsets.add(r.offset);
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= r.offset) line++;
    const start = r.offset - lineStarts[line]!;
    const isFloat = /[.eE]/.test(r.literal);
    found.push({ file, name: r.name, line, literal: r.literal, value, isFloat, kind: kindOf(last, value, isFloat), start, end: start + r.literal.length });
  }
  return found.sort((a, b) => a.line - b.line || a.start - b.start);
}

/** Offset of `literal` after `from` within the line starting at `lineStart`. */
const at = (text: string, lineStart: number, line: string, literal: string, from: number): number => lineStart + line.indexOf(literal, from);

function eachLine(text: string, fn: (line: string, lineStart: number, index: number) => void): void {
  let start = 0;
  const lines = text.split('\n');
  lines.forEach((l, i) => {
    fn(l.replace(/\r$/, ''), start, i);
    start += l.length + 1;
  });
}

function findJs(text: string): Raw[] {
  const out: Raw[] = [];
  eachLine(text, (line, lineStart) => {
    if (line.length === 0 || /^\s/.test(line)) return;
    const m = JS.exec(line);
    if (!m) return;
    const [, name, literal] = m as unknown as [string, string, string];
    // A top-level `let step = 0` is state, not a knob: UPPER_CASE names or a `const`.
    if (!/^(?:export\s+)?const\s/.test(line) && !/^[A-Z][A-Z0-9_]*$/.test(name)) return;
    out.push({ name, literal, offset: at(text, lineStart, line, literal, line.indexOf('=') + 1) });
  });
  return out;
}

const CONFIG_CLASS = /config|conf$|args|hparams|hyper|params|settings|options|cfg/i;

function findPython(text: string): Raw[] {
  const out: Raw[] = [];
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  let lineStart = 0;
  // The class whose body we are in, when it is a dataclass or a config class, with its body indentation.
  let cls: { name: string; indent: number | null } | null = null;
  let decorators: string[] = [];
  for (let i = 0; i < lines.length; lineStart += lines[i]!.length + 1, i++) {
    const line = lines[i]!;
    if (line.trim() === '' || /^\s*#/.test(line)) continue;
    const indent = /^\s*/.exec(line)![0].length;
    if (indent === 0) {
      cls = null;
      const c = /^class\s+([A-Za-z_]\w*)/.exec(line);
      if (c) {
        if (decorators.some((d) => /dataclass|define|attrs|frozen/.test(d)) || CONFIG_CLASS.test(c[1]!)) cls = { name: c[1]!, indent: null };
        decorators = [];
        continue;
      }
      if (line.startsWith('@')) {
        decorators.push(line);
        continue;
      }
      decorators = [];
      const m = PYTHON.exec(line);
      if (m && /^[A-Z][A-Z0-9_]*$/.test(m[1]!)) out.push({ name: m[1]!, literal: m[2]!, offset: at(text, lineStart, line, m[2]!, line.indexOf('=') + 1) });
      continue;
    }
    if (cls) {
      cls.indent ??= indent;
      if (indent === cls.indent) {
        const m = PYTHON.exec(line.slice(indent));
        if (m) out.push({ name: m[1]!, literal: m[2]!, offset: lineStart + indent + line.slice(indent).indexOf(m[2]!, line.slice(indent).indexOf('=') + 1) });
        // Keyword defaults of the config class's constructor, possibly over several lines.
        if (/^\s*def\s+__init__\s*\(/.test(line)) {
          const span = callSpan(text, lineStart + line.indexOf('('));
          for (const kw of keywordNumbers(text, span.start, span.end)) if (kw.name !== 'self') out.push(kw);
        }
      }
    }
  }
  // argparse: `add_argument('--lr', '-l', type=float, default=5e-4, help=...)`, possibly over several lines.
  const ADD = /\.add_argument\s*\(/g;
  for (let m = ADD.exec(text); m; m = ADD.exec(text)) {
    const span = callSpan(text, m.index + m[0].length - 1);
    const args = text.slice(span.start, span.end);
    const flag = /['"](--?[A-Za-z][\w-]*)['"]/.exec(args);
    const dest = /\bdest\s*=\s*['"](\w+)['"]/.exec(args)?.[1] ?? flag?.[1]?.replace(/^-+/, '').replace(/-/g, '_');
    if (!dest) continue;
    const def = keywordNumbers(text, span.start, span.end).find((k) => k.name === 'default');
    if (def) out.push({ ...def, name: dest });
  }
  return out;
}

/** The text between an opening parenthesis at `open` and its match (strings skipped). */
function callSpan(text: string, open: number): { start: number; end: number } {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') while (i < text.length && text[i] !== '\n') i++;
    else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return { start: open + 1, end: i };
    }
  }
  return { start: open + 1, end: open + 1 };
}

/** `name=NUMBER` keyword arguments at the top level of an argument list. */
function keywordNumbers(text: string, start: number, end: number): Raw[] {
  const out: Raw[] = [];
  const re = new RegExp(String.raw`(?:^|[,(\s])([A-Za-z_]\w*)\s*(?::\s*[A-Za-z_][\w\[\], .]*)?=\s*(${NUMBER})(?=\s*(?:[,)#]|$))`, 'gm');
  const body = text.slice(start, end);
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const literalAt = m.index + m[0].length - m[2]!.length;
    out.push({ name: m[1]!, literal: m[2]!, offset: start + literalAt });
  }
  return out;
}

const unquote = (k: string) => k.replace(/^["']|["']$/g, '');

function findYaml(text: string): Raw[] {
  const out: Raw[] = [];
  // Parent keys by indentation, so `lr` under `optim:` is `optim.lr`.
  const stack: { indent: number; key: string }[] = [];
  eachLine(text, (line, lineStart) => {
    if (line.trim() === '' || /^\s*#/.test(line)) return;
    const indent = /^\s*/.exec(line)![0].length;
    while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const parent = /^\s*(?:-\s+)?([A-Za-z_][\w.-]*|"[^"]+"|'[^']+')\s*:\s*(?:#.*)?$/.exec(line);
    if (parent) {
      stack.push({ indent, key: unquote(parent[1]!) });
      return;
    }
    const m = YAML.exec(line);
    if (!m) return;
    const name = [...stack.map((s) => s.key), unquote(m[2]!)].join('.');
    out.push({ name, literal: m[3]!, offset: at(text, lineStart, line, m[3]!, line.indexOf(':', m[1]!.length) + 1) });
  });
  return out;
}

function findToml(text: string): Raw[] {
  const out: Raw[] = [];
  let section = '';
  eachLine(text, (line, lineStart) => {
    const header = /^\s*\[+\s*([^\]]+?)\s*\]+\s*(?:#.*)?$/.exec(line);
    if (header) {
      section = header[1]!.split('.').map(unquote).join('.');
      return;
    }
    const m = TOML.exec(line);
    if (!m) return;
    const name = section ? `${section}.${unquote(m[1]!)}` : unquote(m[1]!);
    out.push({ name, literal: m[2]!, offset: at(text, lineStart, line, m[2]!, line.indexOf('=') + 1) });
  });
  return out;
}

/** Numbers that are the value of an object key (not array items), named by their key path. */
function findJson(text: string): Raw[] {
  const out: Raw[] = [];
  const path: (string | null)[] = [];
  let pendingKey: string | null = null;
  let lastString: string | null = null;
  const num = new RegExp(`^${NUMBER}`);
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      lastString = text.slice(i + 1, j);
      i = j;
      continue;
    }
    if (ch === ':') {
      pendingKey = lastString;
      continue;
    }
    if (ch === '{' || ch === '[') {
      path.push(ch === '{' ? pendingKey ?? '' : null);
      pendingKey = null;
      continue;
    }
    if (ch === '}' || ch === ']') {
      path.pop();
      continue;
    }
    if (ch === ',') {
      pendingKey = null;
      continue;
    }
    if (pendingKey !== null && /[-\d]/.test(ch)) {
      const m = num.exec(text.slice(i, i + 64));
      if (m && !m[0].includes('_')) {
        if (!path.includes(null)) out.push({ name: [...path.filter((p) => p), pendingKey].join('.'), literal: m[0], offset: i });
        i += m[0].length - 1;
      }
      pendingKey = null;
    }
  }
  return out;
}

/** Replace one constant's literal in `text`; the rest of the file stays byte-identical. */
export function replaceConstant(text: string, c: NumericConstant, literal: string): string {
  const lines = text.split('\n');
  const line = lines[c.line]!;
  lines[c.line] = line.slice(0, c.start) + literal + line.slice(c.end);
  return lines.join('\n');
}
