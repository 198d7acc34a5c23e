// The shape issue #24 asked for, kept: no import cycle inside src/core (type-only imports included, as madge
// counts them), no source file over 450 lines, and no function over 200 lines in the loop and the studio.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const CORE = path.resolve(__dirname, '..', '..', 'src', 'core');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : []));
}

const files = sources(CORE);
const parsed = new Map(files.map((f) => [f, ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true)]));

/** Relative imports and re-exports of `file`, as absolute .ts paths. */
function importsOf(file: string): string[] {
  const out: string[] = [];
  for (const s of parsed.get(file)!.statements) {
    const spec = (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier) ? s.moduleSpecifier.text : null;
    if (spec?.startsWith('.')) out.push(path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts'));
  }
  return out.filter((f) => parsed.has(f));
}

/** Every cycle found by a depth-first walk, each as the files around it. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of importsOf(f)) {
      if (state.get(g) === 'open') found.push(stack.slice(stack.indexOf(g)).map((x) => path.relative(CORE, x)));
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return found;
}

/** Functions longer than `max` lines, as "file:line name (n lines)". */
function longFunctions(file: string, max: number): string[] {
  const sf = parsed.get(file)!;
  const out: string[] = [];
  const walk = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = 'name' in node && node.name ? node.name.getText() : '(anonymous)';
      if (end - start + 1 > max) out.push(`${path.relative(CORE, file)}:${start + 1} ${name} (${end - start + 1} lines)`);
    }
    ts.forEachChild(node, walk);
  };
  walk(sf);
  return out;
}

describe('the shape of src/core', () => {
  it('has no import cycle', () => {
    expect(cycles()).toEqual([]);
  });

  it('has no source file over 450 lines', () => {
    expect(files.filter((f) => readFileSync(f, 'utf8').split('\n').length > 450).map((f) => path.relative(CORE, f))).toEqual([]);
  });

  it('has no function over 200 lines in the loop or the studio', () => {
    const inScope = files.filter((f) => /^(loop|studio)\//.test(path.relative(CORE, f)));
    expect(inScope.length).toBeGreaterThan(20);
    expect(inScope.flatMap((f) => longFunctions(f, 200))).toEqual([]);
  });
});
