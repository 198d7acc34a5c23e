// Files the agent may edit, must leave byte-identical, or may read, picked from the project's tree.
// The lists hold patterns (train.py, data/**); a box is ticked when a pattern matches the file, exactly
// as the harness will decide it.
import { useMemo, useState } from 'react';
import type { FileEntry } from '../../shared/api.js';
import type { FieldError } from '../../shared/config.js';
import { Button } from '../components/Button.js';
import { errorsAt } from './draft.js';
import { matchesAny } from './glob.js';

export type FileList = 'editable' | 'protected' | 'context' | 'linked';
export type FileLists = Readonly<Record<FileList, readonly string[]>>;

const COLUMNS: readonly { readonly kind: Exclude<FileList, 'linked'>; readonly label: string; readonly title: string }[] = [
  { kind: 'editable', label: 'Edit', title: 'The agent may change this file' },
  { kind: 'protected', label: 'Protect', title: 'Must stay byte-identical; checked before every experiment' },
  { kind: 'context', label: 'Read', title: 'The agent may read it but not change it' },
];

const MAX_ROWS = 1500;

interface Row {
  readonly path: string;
  readonly name: string;
  readonly depth: number;
  readonly type: 'file' | 'dir';
  readonly tracked: boolean;
}

function visibleRows(files: readonly FileEntry[], collapsed: ReadonlySet<string>, filter: string): Row[] {
  const f = filter.trim().toLowerCase();
  const rows: Row[] = [];
  for (const e of files) {
    if (f) {
      if (e.type === 'dir' || !e.path.toLowerCase().includes(f)) continue;
      rows.push({ path: e.path, name: e.path, depth: 0, type: e.type, tracked: e.tracked });
      continue;
    }
    const parts = e.path.split('/');
    let hidden = false;
    for (let i = 1; i < parts.length; i++) if (collapsed.has(parts.slice(0, i).join('/'))) hidden = true;
    if (!hidden) rows.push({ path: e.path, name: parts[parts.length - 1]!, depth: parts.length - 1, type: e.type, tracked: e.tracked });
  }
  return rows;
}

/** Folders first at each level, then files, alphabetically: the order of a file explorer. */
function explorerOrder(files: readonly FileEntry[]): FileEntry[] {
  const key = (e: FileEntry) =>
    e.path
      .split('/')
      .map((p, i, all) => `${i === all.length - 1 && e.type === 'file' ? '1' : '0'}${p.toLowerCase()}`)
      .join('/');
  return [...files].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export function FilePicker(props: {
  readonly files: readonly FileEntry[] | null;
  readonly loadError: string | null;
  readonly lists: FileLists;
  readonly onChange: (kind: FileList, next: readonly string[]) => void;
  readonly errors: readonly FieldError[];
}) {
  const ordered = useMemo(() => explorerOrder(props.files ?? []), [props.files]);
  // Folders start collapsed below the top level, so a big repository opens as a short list.
  const initiallyCollapsed = useMemo(() => new Set(ordered.filter((e) => e.type === 'dir' && e.path.includes('/')).map((e) => e.path)), [ordered]);
  const [toggled, setToggled] = useState<ReadonlySet<string>>(new Set());
  const [filter, setFilter] = useState('');
  const collapsed = useMemo(() => {
    const s = new Set(initiallyCollapsed);
    for (const t of toggled) {
      if (s.has(t)) s.delete(t);
      else s.add(t);
    }
    return s;
  }, [initiallyCollapsed, toggled]);
  const rows = useMemo(() => visibleRows(ordered, collapsed, filter), [ordered, collapsed, filter]);

  const toggleFolder = (p: string) =>
    setToggled((t) => {
      const n = new Set(t);
      if (n.has(p)) n.delete(p);
      else n.add(p);
      return n;
    });

  function setTicked(kind: Exclude<FileList, 'linked'>, row: Row, on: boolean): void {
    const pattern = row.type === 'dir' ? `${row.path}/**` : row.path;
    if (on) {
      props.onChange(kind, [...props.lists[kind], pattern]);
      // A file cannot be both editable and protected: ticking one unticks the other's exact entry.
      const other = kind === 'editable' ? 'protected' : kind === 'protected' ? 'editable' : null;
      if (other && props.lists[other].includes(pattern)) props.onChange(other, props.lists[other].filter((p) => p !== pattern));
    } else {
      props.onChange(
        kind,
        props.lists[kind].filter((p) => p !== pattern),
      );
    }
  }

  return (
    <div className="file-picker" data-testid="file-picker">
      <div className="pattern-lists">
        {(['editable', 'protected', 'context', 'linked'] as const).map((kind) => (
          <PatternList
            key={kind}
            kind={kind}
            patterns={props.lists[kind]}
            onChange={(next) => props.onChange(kind, next)}
            errors={errorsAt(props.errors, `files.${kind}`)}
          />
        ))}
      </div>
      <div className="file-tree">
        <div className="file-tree-head">
          <input placeholder="Filter files" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter files" data-testid="file-filter" />
          <span className="grow" />
          {COLUMNS.map((c) => (
            <span key={c.kind} className="col" title={c.title}>
              {c.label}
            </span>
          ))}
        </div>
        {props.loadError ? <div className="field-error" style={{ padding: 8 }}>{props.loadError}</div> : null}
        {props.files === null && !props.loadError ? <div className="faint" style={{ padding: 8 }}>Loading files…</div> : null}
        {props.files && props.files.length === 0 ? <div className="faint" style={{ padding: 8 }}>The folder has no files yet.</div> : null}
        <div className="file-rows">
          {rows.slice(0, MAX_ROWS).map((row) => (
            <div key={row.path} className={`file-row${row.type === 'dir' ? ' dir' : ''}`} data-testid={`file-row-${row.path}`}>
              <span className="name" style={{ paddingLeft: 6 + row.depth * 14 }}>
                {row.type === 'dir' ? (
                  <button type="button" className="twisty" onClick={() => toggleFolder(row.path)} aria-expanded={!collapsed.has(row.path)} aria-label={`Toggle ${row.path}`}>
                    {collapsed.has(row.path) ? '▸' : '▾'} {row.name}/
                  </button>
                ) : (
                  <span className="mono">{row.name}</span>
                )}
                {!row.tracked && row.type === 'file' ? <span className="faint"> untracked</span> : null}
              </span>
              {COLUMNS.map((c) => {
                const exact = row.type === 'dir' ? `${row.path}/**` : row.path;
                const hit = matchesAny(row.type === 'dir' ? `${row.path}/x` : row.path, props.lists[c.kind]);
                const byPattern = hit !== null && hit !== exact;
                return (
                  <span key={c.kind} className="col">
                    <input
                      type="checkbox"
                      checked={hit !== null}
                      disabled={byPattern}
                      title={byPattern ? `Matched by ${hit}; edit that pattern above` : `${c.title}${row.type === 'dir' ? ` (everything in ${row.path}/)` : ''}`}
                      onChange={(e) => setTicked(c.kind, row, e.target.checked)}
                      aria-label={`${c.label} ${row.path}`}
                      data-testid={`file-${c.kind}-${row.path}`}
                    />
                  </span>
                );
              })}
            </div>
          ))}
          {rows.length > MAX_ROWS ? <div className="faint" style={{ padding: 8 }}>{rows.length - MAX_ROWS} more: filter to find a file.</div> : null}
        </div>
      </div>
    </div>
  );
}

const LIST_INFO: Readonly<Record<FileList, { readonly title: string; readonly hint: string }>> = {
  editable: { title: 'Editable', hint: 'What the agent may change, e.g. train.py' },
  protected: { title: 'Protected', hint: 'Verified byte-identical before every run, e.g. prepare.py, data/**' },
  context: { title: 'Context', hint: 'The agent may read these, e.g. program.md, README.md' },
  linked: { title: 'Linked inputs', hint: 'Untracked folders each worktree needs, e.g. data/, .venv/' },
};

function PatternList(props: { readonly kind: FileList; readonly patterns: readonly string[]; readonly onChange: (next: readonly string[]) => void; readonly errors: readonly FieldError[] }) {
  const [draft, setDraft] = useState('');
  const info = LIST_INFO[props.kind];
  const add = () => {
    const p = draft.trim();
    if (!p) return;
    if (!props.patterns.includes(p)) props.onChange([...props.patterns, p]);
    setDraft('');
  };
  return (
    <div className="pattern-list" data-testid={`patterns-${props.kind}`}>
      <div className="pattern-title">
        {info.title} <span className="faint">{info.hint}</span>
      </div>
      <div className="pattern-chips">
        {props.patterns.length === 0 ? <span className="faint">none</span> : null}
        {props.patterns.map((p) => (
          <span key={p} className="pattern-chip mono">
            {p}
            <button type="button" aria-label={`Remove ${p}`} onClick={() => props.onChange(props.patterns.filter((x) => x !== p))}>
              ×
            </button>
          </span>
        ))}
        <input
          className="mono pattern-input"
          placeholder="add a file or pattern"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
          aria-label={`Add to ${info.title}`}
          data-testid={`patterns-${props.kind}-input`}
        />
        <Button size="small" onClick={add} disabledReason={draft.trim() ? null : 'Type a file name or pattern'}>
          Add
        </Button>
      </div>
      {props.errors.length > 0 ? (
        <div className="field-error" data-testid={`error-files.${props.kind}`}>
          {props.errors.map((e) => e.message).join('; ')}
        </div>
      ) : null}
    </div>
  );
}
