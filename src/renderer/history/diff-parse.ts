// Parses git's unified diff (what getDiff returns) into files, hunks and numbered lines, and pairs the
// lines of a hunk into rows for the side-by-side view. Line counts in the hunk header decide where a hunk
// ends, so content that happens to start with "--- " or "diff " is never mistaken for a header.

export type DiffLineKind = 'context' | 'add' | 'del' | 'note';

export interface DiffLine {
  readonly kind: DiffLineKind;
  /** The content without the leading +, - or space. */
  readonly text: string;
  readonly oldNo: number | null;
  readonly newNo: number | null;
}

export interface DiffHunk {
  readonly header: string;
  readonly oldStart: number;
  readonly oldLines: number;
  readonly newStart: number;
  readonly newLines: number;
  /** The function/section name git prints after the second @@, or ''. */
  readonly section: string;
  readonly lines: readonly DiffLine[];
}

export type DiffFileStatus = 'modified' | 'added' | 'deleted' | 'renamed' | 'copied';

export interface DiffFile {
  readonly oldPath: string | null;
  readonly newPath: string | null;
  /** The path to show: the new one, or the old one for a deletion. */
  readonly path: string;
  readonly status: DiffFileStatus;
  readonly binary: boolean;
  readonly hunks: readonly DiffHunk[];
  readonly additions: number;
  readonly deletions: number;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

/** git writes unusual paths in C-style quotes: "a/caf\303\251.py". */
export function unquoteGitPath(raw: string): string {
  if (!raw.startsWith('"') || !raw.endsWith('"') || raw.length < 2) return raw;
  const body = raw.slice(1, -1);
  const bytes: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      for (const b of new TextEncoder().encode(c)) bytes.push(b);
      continue;
    }
    const n = body[i + 1] ?? '';
    if (/[0-7]/.test(n)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      bytes.push(parseInt(oct, 8));
      i += oct.length;
    } else {
      bytes.push(simple[n] ?? n.charCodeAt(0));
      i += 1;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

function stripPrefix(p: string | null): string | null {
  if (p === null) return null;
  const path = unquoteGitPath(p.trim());
  if (path === '/dev/null') return null;
  return path.startsWith('a/') || path.startsWith('b/') ? path.slice(2) : path;
}

/** `diff --git a/x b/y`: split into the two paths (they may contain spaces; quoted ones are handled). */
function pathsFromDiffGit(rest: string): [string | null, string | null] {
  const quoted = /^("(?:[^"\\]|\\.)*") ("(?:[^"\\]|\\.)*"|\S.*)$/.exec(rest) ?? /^(\S.*?) ("(?:[^"\\]|\\.)*")$/.exec(rest);
  if (quoted) return [stripPrefix(quoted[1]!), stripPrefix(quoted[2]!)];
  // Unquoted: when both sides name the same file, the halves are equal around " b/".
  const mid = rest.indexOf(' b/');
  if (mid !== -1) return [stripPrefix(rest.slice(0, mid)), stripPrefix(rest.slice(mid + 1))];
  return [stripPrefix(rest), stripPrefix(rest)];
}

interface FileDraft {
  oldPath: string | null;
  newPath: string | null;
  status: DiffFileStatus;
  binary: boolean;
  hunks: DiffHunk[];
  additions: number;
  deletions: number;
}

function finish(f: FileDraft): DiffFile {
  const path = f.newPath ?? f.oldPath ?? '(unknown file)';
  let status = f.status;
  if (status === 'modified' && f.oldPath === null && f.newPath !== null) status = 'added';
  if (status === 'modified' && f.newPath === null && f.oldPath !== null) status = 'deleted';
  return { oldPath: f.oldPath, newPath: f.newPath, path, status, binary: f.binary, hunks: f.hunks, additions: f.additions, deletions: f.deletions };
}

export function parseUnifiedDiff(text: string): readonly DiffFile[] {
  const files: DiffFile[] = [];
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  let file: FileDraft | null = null;
  const newFile = (oldPath: string | null, newPath: string | null): FileDraft => ({
    oldPath,
    newPath,
    status: 'modified',
    binary: false,
    hunks: [],
    additions: 0,
    deletions: 0,
  });
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.startsWith('diff --git ')) {
      if (file) files.push(finish(file));
      const [a, b] = pathsFromDiffGit(line.slice('diff --git '.length));
      file = newFile(a, b);
      i += 1;
      continue;
    }
    if (line.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ')) {
      // Plain unified diffs (no "diff --git" line) start a file here; git's own only confirm the paths.
      if (!file || file.hunks.length > 0) {
        if (file) files.push(finish(file));
        file = newFile(null, null);
      }
      file.oldPath = stripPrefix(line.slice(4).replace(/\t.*$/, ''));
      file.newPath = stripPrefix(lines[i + 1]!.slice(4).replace(/\t.*$/, ''));
      i += 2;
      continue;
    }
    const hunk = HUNK.exec(line);
    if (hunk && file) {
      const oldStart = Number(hunk[1]);
      const oldLines = hunk[2] === undefined ? 1 : Number(hunk[2]);
      const newStart = Number(hunk[3]);
      const newLines = hunk[4] === undefined ? 1 : Number(hunk[4]);
      const body: DiffLine[] = [];
      let oldNo = oldStart;
      let newNo = newStart;
      let oldLeft = oldLines;
      let newLeft = newLines;
      i += 1;
      while (i < lines.length && (oldLeft > 0 || newLeft > 0 || lines[i]!.startsWith('\\'))) {
        const l = lines[i]!;
        const mark = l[0];
        if (mark === '+') {
          body.push({ kind: 'add', text: l.slice(1), oldNo: null, newNo: newNo++ });
          newLeft -= 1;
          file.additions += 1;
        } else if (mark === '-') {
          body.push({ kind: 'del', text: l.slice(1), oldNo: oldNo++, newNo: null });
          oldLeft -= 1;
          file.deletions += 1;
        } else if (mark === '\\') {
          body.push({ kind: 'note', text: l.slice(1).trim(), oldNo: null, newNo: null });
        } else if (mark === ' ' || l === '') {
          // An empty line inside a hunk is a context line whose leading space was stripped by an editor.
          body.push({ kind: 'context', text: l.slice(1), oldNo: oldNo++, newNo: newNo++ });
          oldLeft -= 1;
          newLeft -= 1;
        } else {
          break;
        }
        i += 1;
      }
      file.hunks.push({ header: line, oldStart, oldLines, newStart, newLines, section: hunk[5] ?? '', lines: body });
      continue;
    }
    if (file) {
      if (line.startsWith('new file mode')) file.status = 'added';
      else if (line.startsWith('deleted file mode')) file.status = 'deleted';
      else if (line.startsWith('rename from ')) {
        file.status = 'renamed';
        file.oldPath = unquoteGitPath(line.slice('rename from '.length));
      } else if (line.startsWith('rename to ')) file.newPath = unquoteGitPath(line.slice('rename to '.length));
      else if (line.startsWith('copy from ')) {
        file.status = 'copied';
        file.oldPath = unquoteGitPath(line.slice('copy from '.length));
      } else if (line.startsWith('copy to ')) file.newPath = unquoteGitPath(line.slice('copy to '.length));
      else if (line.startsWith('Binary files ') || line === 'GIT binary patch') file.binary = true;
    }
    i += 1;
  }
  if (file) files.push(finish(file));
  // A git header for an added or deleted file still names both sides; the status says which is real.
  return files.map((f) =>
    f.status === 'added' ? { ...f, oldPath: null } : f.status === 'deleted' ? { ...f, newPath: null, path: f.oldPath ?? f.path } : f,
  );
}

export interface SplitRow {
  /** 'change' rows pair a deletion (left) with an addition (right); either side may be empty. */
  readonly kind: 'context' | 'change' | 'note';
  readonly left: DiffLine | null;
  readonly right: DiffLine | null;
}

/** Rows for a side-by-side view: context on both sides, a run of deletions next to the following additions. */
export function toSplitRows(hunk: DiffHunk): readonly SplitRow[] {
  const rows: SplitRow[] = [];
  const lines = hunk.lines;
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.kind === 'context') {
      rows.push({ kind: 'context', left: l, right: l });
      i += 1;
    } else if (l.kind === 'note') {
      rows.push({ kind: 'note', left: l, right: l });
      i += 1;
    } else {
      const dels: DiffLine[] = [];
      const adds: DiffLine[] = [];
      while (i < lines.length && lines[i]!.kind === 'del') dels.push(lines[i++]!);
      while (i < lines.length && lines[i]!.kind === 'add') adds.push(lines[i++]!);
      const n = Math.max(dels.length, adds.length);
      for (let k = 0; k < n; k++) rows.push({ kind: 'change', left: dels[k] ?? null, right: adds[k] ?? null });
    }
  }
  return rows;
}
