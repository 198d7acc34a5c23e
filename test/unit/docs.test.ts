// The documentation stays a short README plus pages in docs/: the README is held to 200 lines (a page a newcomer
// reads in two minutes), every relative link in it and in docs/*.md must reach a file that exists (and a heading
// in it, for a #anchor), and every page in docs/ is reachable from the README.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const docsDir = path.join(root, 'docs');
const pages = ['README.md', ...readdirSync(docsDir).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The text with fenced code blocks and inline code removed: a link-like string in code is not a link. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Inline links `[text](target "title")` and reference definitions `[name]: target`. */
function linkTargets(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const refs = [...text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]!);
  return [...inline, ...refs];
}

/** GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const m of withoutFences.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = m[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target);

/** Every problem with the relative links in `text`, the content of `page` (a path from the repository root). */
function brokenLinks(page: string, text = readFileSync(path.join(root, page), 'utf8')): string[] {
  const problems: string[] = [];
  for (const target of linkTargets(text)) {
    if (isExternal(target)) continue;
    const [file, anchor] = target.split('#', 2) as [string, string | undefined];
    const resolved = file === '' ? path.join(root, page) : path.resolve(path.dirname(path.join(root, page)), decodeURIComponent(file));
    if (!existsSync(resolved)) {
      problems.push(`${page}: ${target} (no file ${path.relative(root, resolved)})`);
      continue;
    }
    if (anchor !== undefined && resolved.endsWith('.md') && statSync(resolved).isFile()) {
      if (!headingAnchors(readFileSync(resolved, 'utf8')).has(anchor)) problems.push(`${page}: ${target} (no heading #${anchor} in ${path.relative(root, resolved)})`);
    }
  }
  return problems;
}

describe('the documentation', () => {
  it('keeps README.md to 200 lines at most', () => {
    const lines = readFileSync(path.join(root, 'README.md'), 'utf8').replace(/\n$/, '').split('\n').length;
    expect(lines).toBeLessThanOrEqual(200);
  });

  it('has relative links only to files (and headings) that exist, in README.md and every docs/*.md', () => {
    expect(pages.length).toBeGreaterThan(5);
    expect(pages.flatMap((p) => brokenLinks(p))).toEqual([]);
  });

  it('links every page in docs/ from README.md', () => {
    const linked = new Set(
      linkTargets(readFileSync(path.join(root, 'README.md'), 'utf8'))
        .filter((t) => !isExternal(t))
        .map((t) => path.normalize(t.split('#')[0]!)),
    );
    const unlinked = pages.filter((p) => p !== 'README.md' && !linked.has(path.normalize(p)));
    expect(unlinked).toEqual([]);
  });
});

describe('the link checker', () => {
  it('finds inline links and reference definitions but not links inside code', () => {
    const md = ['See [a](docs/a.md) and [b](b.md#part "title").', '', '```', '[not](in-a-fence.md)', '```', 'Also `[no](inline-code.md)`.', '', '[ref]: docs/c.md'].join('\n');
    expect(linkTargets(md)).toEqual(['docs/a.md', 'b.md#part', 'docs/c.md']);
  });

  it('makes anchors the way GitHub does', () => {
    const anchors = headingAnchors('# The CLI\n## `serve`\'s token\n## Which results are kept\n## Notes\n## Notes\n');
    expect([...anchors]).toEqual(['the-cli', 'serves-token', 'which-results-are-kept', 'notes', 'notes-1']);
  });

  it('reports a link to a missing file and to a missing heading, and passes a good one', () => {
    const md = '[gone](docs/no-such-page.md) [bad anchor](docs/cli.md#no-such-heading) [ok](docs/cli.md#proposers) [web](https://example.com/x.md)';
    expect(brokenLinks('README.md', md)).toEqual(['README.md: docs/no-such-page.md (no file docs/no-such-page.md)', 'README.md: docs/cli.md#no-such-heading (no heading #no-such-heading in docs/cli.md)']);
  });
});
