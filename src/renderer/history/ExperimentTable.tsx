// The history table: every experiment of a run in a virtualized list (only the rows on screen exist in
// the DOM, so 10,000 rows cost what 40 do), sortable by each column. A click opens an experiment;
// keyboard: j/k or arrows move the selection, Enter opens, Home/End and PageUp/PageDown jump.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type JSX } from 'react';
import { ConfidenceText } from '../components/ConfidenceText.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { ChangeText } from '../components/ChangeText.js';
import { formatCost, formatDuration, formatMetric, formatTokens } from '../components/format.js';
import { GLOSSARY } from '../../shared/wording.js';
import type { ExperimentRow, SortKey, SortSpec } from './table-model.js';

export const ROW_HEIGHT = 26;

interface Column {
  readonly key: SortKey;
  readonly label: string;
  readonly width: string;
  readonly align?: 'right';
  readonly title?: string;
}

const COLUMNS: readonly Column[] = [
  { key: 'id', label: '#', width: '56px', align: 'right' },
  { key: 'status', label: 'Status', width: '108px' },
  { key: 'metric', label: 'Metric', width: '92px', align: 'right' },
  // Beside the search metric, only when the run has a held-out check (columnsFor).
  { key: 'heldout', label: 'Held-out', width: '136px', align: 'right', title: 'The held-out metric on this kept commit: a check the agent never sees' },
  { key: 'delta', label: 'Change vs best', width: '212px', align: 'right', title: GLOSSARY.change },
  { key: 'confidence', label: 'Conf.', width: '72px', align: 'right', title: 'How many standard errors of the noise the gain stood above when it was decided; ≈ marks a keep within the noise (it may be luck)' },
  { key: 'description', label: 'Description', width: 'minmax(180px, 1fr)' },
  { key: 'slot', label: 'Slot', width: '44px', align: 'right' },
  { key: 'parent', label: 'Parent', width: '58px', align: 'right', title: 'The experiment it was based on' },
  { key: 'duration', label: 'Duration', width: '86px', align: 'right' },
  { key: 'tokens', label: 'Tokens', width: '64px', align: 'right' },
  { key: 'cost', label: 'Cost', width: '64px', align: 'right' },
];

const columnsFor = (heldout: boolean): readonly Column[] => (heldout ? COLUMNS : COLUMNS.filter((c) => c.key !== 'heldout'));
export const GRID_TEMPLATE = columnsFor(false).map((c) => c.width).join(' ');

export interface ExperimentTableProps {
  readonly rows: readonly ExperimentRow[];
  readonly sort: SortSpec;
  readonly onSort: (key: SortKey) => void;
  readonly selectedId: number | null;
  readonly onSelect: (id: number) => void;
  readonly onOpen: (id: number) => void;
  readonly metricName: string;
  /** The held-out metric's name when the run has a held-out check (a column beside the metric); else null. */
  readonly heldoutName?: string | null;
  /** The link of an experiment's detail page (for middle-click / open in new tab). */
  readonly hrefFor: (id: number) => string;
  readonly height?: number | string;
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

export function ExperimentTable(props: ExperimentTableProps): JSX.Element {
  const { rows, selectedId, onSelect, onOpen } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const selectedIndex = selectedId === null ? -1 : rows.findIndex((r) => r.id === selectedId);

  // Keep the selection on screen when it moves by keyboard.
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey || rows.length === 0) return;
      const move = (to: number) => {
        e.preventDefault();
        const i = Math.max(0, Math.min(rows.length - 1, to));
        onSelect(rows[i]!.id);
      };
      const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 520) / ROW_HEIGHT) - 1);
      if (e.key === 'j' || e.key === 'ArrowDown') move(selectedIndex + 1);
      else if (e.key === 'k' || e.key === 'ArrowUp') move(selectedIndex < 0 ? 0 : selectedIndex - 1);
      else if (e.key === 'PageDown') move(selectedIndex + page);
      else if (e.key === 'PageUp') move(selectedIndex - page);
      else if (e.key === 'Home' || e.key === 'g') move(0);
      else if (e.key === 'End' || e.key === 'G') move(rows.length - 1);
      else if (e.key === 'Enter' && selectedIndex >= 0) {
        e.preventDefault();
        onOpen(rows[selectedIndex]!.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [rows, selectedIndex, onSelect, onOpen]);

  const items = virtualizer.getVirtualItems();
  const heldout = props.heldoutName ?? null;
  const columns = columnsFor(heldout !== null);
  const grid = columns.map((c) => c.width).join(' ');
  return (
    <div className="xp-table" role="grid" aria-rowcount={rows.length + 1} data-testid="history-table" data-rows={rows.length}>
      <div className="xp-row xp-head" role="row" style={{ gridTemplateColumns: grid }}>
        {columns.map((c) => {
          const active = props.sort.key === c.key;
          return (
            <button
              type="button"
              role="columnheader"
              key={c.key}
              className={`xp-cell${c.align === 'right' ? ' right' : ''}${active ? ' sorted' : ''}`}
              aria-sort={active ? (props.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
              title={c.title ?? `Sort by ${c.label}`}
              data-testid={`sort-${c.key}`}
              onClick={() => props.onSort(c.key)}
            >
              {c.key === 'metric' ? props.metricName : c.key === 'heldout' && heldout ? `Held-out ${heldout}` : c.label}
              {active ? <span className="sort-arrow">{props.sort.dir === 'asc' ? '▲' : '▼'}</span> : null}
            </button>
          );
        })}
      </div>
      <div className="xp-scroll" ref={scrollRef} style={{ height: props.height ?? 520 }} data-testid="history-scroll" tabIndex={-1}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const r = rows[item.index]!;
            const selected = r.id === selectedId;
            return (
              <div
                key={r.id}
                role="row"
                aria-selected={selected}
                className={`xp-row${selected ? ' selected' : ''} st-${r.status}`}
                data-testid="history-row"
                data-id={r.id}
                style={{ gridTemplateColumns: grid, transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                onClick={() => {
                  onSelect(r.id);
                  onOpen(r.id);
                }}
              >
                <span className="xp-cell right mono">
                  <a
                    href={props.hrefFor(r.id)}
                    onClick={(e) => {
                      e.preventDefault();
                      e.stopPropagation();
                      onOpen(r.id);
                    }}
                  >
                    {r.id}
                  </a>
                </span>
                <span className="xp-cell">
                  <StatusBadge status={r.status} />
                </span>
                <span className="xp-cell right mono" data-testid="row-metric">{formatMetric(r.metric)}</span>
                {heldout !== null ? (
                  <span className={`xp-cell right mono${r.heldoutTitle ? ' bad-text' : ''}`} data-testid="row-heldout" title={r.heldoutTitle ?? undefined}>
                    {r.heldoutText}
                  </span>
                ) : null}
                <span className="xp-cell right" data-testid="row-change">
                  <ChangeText change={r.change} />
                </span>
                <ConfidenceCell row={r} />
                <span className="xp-cell desc" title={r.description}>
                  {r.description || <span className="faint">—</span>}
                </span>
                <span className="xp-cell right mono">{r.slot}</span>
                <span className="xp-cell right mono">{r.parent === null ? '—' : r.parent}</span>
                <span className="xp-cell right mono">{formatDuration(r.durationMs)}</span>
                <span className="xp-cell right mono">{formatTokens(r.tokens)}</span>
                <span className="xp-cell right mono">{formatCost(r.cost)}</span>
              </div>
            );
          })}
        </div>
        {rows.length === 0 ? <div className="xp-empty muted">No experiment matches the filter. Clear the filter to see them all.</div> : null}
      </div>
    </div>
  );
}

function ConfidenceCell({ row }: { readonly row: ExperimentRow }): JSX.Element {
  return <ConfidenceText z={row.confidence} label={row.confidenceLabel} status={row.status} className="xp-cell right" />;
}
