// History (#/history/<tag>): any run of the project, its figures and progress chart, and the table of
// every experiment (sortable, filterable, virtualized); a lineage graph when the run used several slots;
// a way to compare two runs.
import { useCallback, useDeferredValue, useEffect, useMemo, useState, type JSX } from 'react';
import { EXPERIMENT_STATUSES, type Experiment, type ExperimentStatus } from '../../shared/experiment.js';
import { buildProgress, summarizeRun } from '../../shared/progress.js';
import { navigate, routeHref } from '../app/router.js';
import { Button } from '../components/Button.js';
import { EmptyState } from '../components/EmptyState.js';
import { Spinner } from '../components/Spinner.js';
import { directionLabel } from '../components/format.js';
import { formatKeepRows, groupThousands, plural } from '../../shared/wording.js';
import { ProgressChart } from '../chart/ProgressChart.js';
import { useStudio } from '../store/studio.js';
import { ExperimentTable } from './ExperimentTable.js';
import { FinalizePanel } from './FinalizePanel.js';
import { AuditPanel } from './AuditPanel.js';
import { HeldoutPanel } from './HeldoutPanel.js';
import { AblationSection } from './AblationPanel.js';
import { describeAudit, describeAuditSetting } from '../../shared/audit-text.js';
import { updateHistoryUi, useHistoryUi } from './history-ui.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { LineageView } from './LineageView.js';
import { RunFiguresBar } from './RunFiguresBar.js';
import { RunPicker } from './RunPicker.js';
import { reloadRun, useRun } from './run-store.js';
import { filterRows, nextSort, sortRows, statusCounts, toRows, type SortKey } from './table-model.js';
import './history.css';

export function HistoryView(props: { tag?: string }): JSX.Element {
  const runs = useStudio((s) => s.runs);
  const project = useStudio((s) => s.project);
  const tag = props.tag ?? null;

  // No run chosen: open the newest one.
  useEffect(() => {
    if (!tag && runs.length > 0) navigate({ view: 'history', tag: runs[0]!.tag });
  }, [tag, runs]);

  if (!project) {
    return (
      <EmptyState title="No project open" testId="history-empty" actions={<Button onClick={() => navigate({ view: 'start' })}>Open a project</Button>}>
        Open a project to see its runs.
      </EmptyState>
    );
  }
  if (runs.length === 0 && !tag) {
    return (
      <EmptyState title="No runs yet" testId="history-empty" actions={<Button onClick={() => navigate({ view: 'run' })}>Go to Run</Button>}>
        Every run of this project appears here once it has started. Set up the project and press Start.
      </EmptyState>
    );
  }
  if (!tag) return <EmptyState title="Opening the latest run…" testId="history-loading" />;
  return <RunHistory key={tag} tag={tag} />;
}

// The figures and the chart are components of their own so React can render them in separate slices
// (and the chart one pass later), keeping each main-thread task short with 10,000 experiments.
function HistoryFigures(props: { readonly experiments: readonly Experiment[]; readonly direction: 'min' | 'max'; readonly metricName: string; readonly bestId: number | null }): JSX.Element {
  const figures = useMemo(() => summarizeRun(props.experiments, props.direction, { bestId: props.bestId }), [props.experiments, props.direction, props.bestId]);
  return <RunFiguresBar figures={figures} metricName={props.metricName} />;
}

function HistoryChart(props: {
  readonly experiments: readonly Experiment[];
  readonly direction: 'min' | 'max';
  readonly noiseFloor: number | null;
  readonly metricName: string;
  readonly onOpen: (id: number) => void;
  readonly highlightId: number | null;
}): JSX.Element {
  const experiments = useDeferredValue(props.experiments, EMPTY);
  const model = useMemo(() => buildProgress(experiments, props.direction, { noiseFloor: props.noiseFloor }), [experiments, props.direction, props.noiseFloor]);
  // Until the deferred pass has the experiments, hold the chart's place without claiming it is empty.
  if (experiments === EMPTY && props.experiments.length > 0) return <div className="chart-placeholder" style={{ height: 300 }} data-testid="chart-pending" />;
  return <ProgressChart model={model} metricName={props.metricName} height={300} onOpen={props.onOpen} highlightId={props.highlightId} />;
}

const EMPTY: readonly Experiment[] = [];

function RunHistory(props: { readonly tag: string }): JSX.Element {
  const { tag } = props;
  const runs = useStudio((s) => s.runs);
  // Deferred: the first render of a 10,000-experiment run (rows, chart model, figures) happens in an
  // interruptible background render, so the page never freezes for it.
  const entry = useDeferredValue(useRun(tag));
  const ui = useHistoryUi(tag);
  const [compareWith, setCompareWith] = useState<string | null>(null);
  const [finalizing, setFinalizing] = useState(false);
  const [auditing, setAuditing] = useState(false);
  const [ablating, setAblating] = useState(false);
  const detail = entry?.state === 'ready' ? entry.detail : null;
  const direction = detail?.direction ?? 'min';

  const allRows = useMemo(() => (detail ? toRows(detail.experiments, direction) : []), [detail?.experiments, direction]);
  const counts = useMemo(() => statusCounts(allRows), [allRows]);
  // The keep filter shows the baseline's row too; its count says so ("kept" alone never counts it).
  const baselineKept = useMemo(() => detail?.experiments.some((e) => e.kind === 'baseline' && e.status === 'keep') ?? false, [detail?.experiments]);
  const rows = useMemo(() => sortRows(filterRows(allRows, { statuses: ui.statuses, text: ui.text }), ui.sort), [allRows, ui.statuses, ui.text, ui.sort]);
  // The lineage is drawn when experiments start from more than one line: several slots, or a tree / islands search.
  const multiSlot = useMemo(() => (detail ? detail.config.slots.length > 1 || detail.experiments.some((e) => e.slot > 0) || (detail.config.search?.strategy ?? 'greedy') !== 'greedy' : false), [detail]);

  const open = useCallback((id: number) => {
    updateHistoryUi(tag, { selectedId: id });
    navigate({ view: 'experiment', tag, id });
  }, [tag]);
  const select = useCallback((id: number) => updateHistoryUi(tag, { selectedId: id }), [tag]);
  const hrefFor = useCallback((id: number) => routeHref({ view: 'experiment', tag, id }), [tag]);
  const onSort = useCallback((key: SortKey) => updateHistoryUi(tag, { sort: nextSort(ui.sort, key) }), [tag, ui.sort]);

  const toggleStatus = (s: ExperimentStatus) => {
    const next = new Set(ui.statuses);
    if (next.has(s)) next.delete(s);
    else next.add(s);
    updateHistoryUi(tag, { statuses: next });
  };

  const header = (
    <div className="history-top">
      <RunPicker runs={runs} value={tag} onChange={(t) => navigate({ view: 'history', tag: t })} />
      <div className="grow" />
      <label className="run-picker">
        <span className="muted">Compare with</span>
        <select value={compareWith ?? ''} onChange={(e) => setCompareWith(e.target.value || null)} data-testid="compare-with">
          <option value="">another run…</option>
          {runs
            .filter((r) => r.tag !== tag)
            .map((r) => (
              <option key={r.tag} value={r.tag}>
                {r.tag}
              </option>
            ))}
        </select>
      </label>
      <Button disabledReason={compareWith ? null : runs.length < 2 ? 'This project has only one run' : 'Choose a run to compare with'} onClick={() => compareWith && navigate({ view: 'compare', tags: [tag, compareWith] })} data-testid="compare-go">
        Compare
      </Button>
      <Button onClick={() => navigate({ view: 'reports', tag })}>Report…</Button>
      <Button onClick={() => setFinalizing((f) => !f)} aria-expanded={finalizing} data-testid="finalize-open">
        Finalize…
      </Button>
      <Button onClick={() => setAuditing((a) => !a)} aria-expanded={auditing} data-testid="audit-open" title="Re-run the baseline and the best, interleaved, and report the improvement with a 95 % interval">
        Audit…
      </Button>
      <Button onClick={() => setAblating((a) => !a)} aria-expanded={ablating} data-testid="ablate-open" title="Find which kept changes carry the result: the best without each one, paired-seed runs, an interval each">
        Ablate…
      </Button>
    </div>
  );

  if (!entry || entry.state === 'loading') {
    return (
      <div className="view-pad wide">
        {header}
        <EmptyState title={`Loading ${tag}…`} testId="history-loading">
          <Spinner />
        </EmptyState>
      </div>
    );
  }
  if (entry.state === 'error') {
    return (
      <div className="view-pad wide">
        {header}
        <EmptyState title={`Could not open the run ${tag}`} testId="history-error" actions={<Button onClick={() => reloadRun(tag)}>Try again</Button>}>
          {entry.error}
        </EmptyState>
      </div>
    );
  }
  const d = entry.detail;
  return (
    <div className="view-pad wide history" data-testid="history" data-tag={tag}>
      {header}
      <div className="history-title">
        <h1>{tag}</h1>
        <span className="muted">
          {d.metricName} · {directionLabel(d.direction)} · {d.proposer} proposer · branch <span className="mono">{d.branch}</span>
          {d.stopMessage ? ` · ${d.stopMessage}` : ''}
        </span>
      </div>
      {auditing || d.audit ? (
        auditing ? (
          <AuditPanel
            tag={tag}
            kept={d.experiments.filter((e) => e.kind === 'candidate' && e.status === 'keep').length}
            live={d.state !== 'stopped'}
            last={d.audit ?? null}
            direction={d.direction}
            budgetSeconds={d.config.budget.seconds}
            onDone={() => reloadRun(tag)}
            onClose={() => setAuditing(false)}
          />
        ) : (
          <p className="muted" data-testid="audit-summary">
            Audit: <b className={d.audit!.confirmed ? 'good-text' : 'noise-keep'}>{describeAudit(d.audit!, d.direction)}</b> ({describeAuditSetting(d.audit!)}).
          </p>
        )
      ) : null}
      <AblationSection
        tag={tag}
        open={ablating}
        kept={d.experiments.filter((e) => e.kind === 'candidate' && e.status === 'keep').length}
        live={d.state !== 'stopped'}
        bestId={d.bestId}
        budgetSeconds={d.config.budget.seconds}
        onOpen={() => setAblating(true)}
        onClose={() => setAblating(false)}
      />
      {finalizing ? <FinalizePanel tag={tag} kept={d.experiments.filter((e) => e.kind === 'candidate' && e.status === 'keep').length} onClose={() => setFinalizing(false)} /> : null}
      <HeldoutPanel config={d.config} experiments={d.experiments} bestId={d.bestId} />
      <HistoryFigures experiments={d.experiments} direction={d.direction} metricName={d.metricName} bestId={d.bestId} />
      <HistoryChart key={tag} experiments={d.experiments} direction={d.direction} noiseFloor={d.noiseFloor} metricName={d.metricName} onOpen={open} highlightId={ui.selectedId} />

      <div className="history-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={ui.tab === 'table'} className={ui.tab === 'table' ? 'active' : ''} onClick={() => updateHistoryUi(tag, { tab: 'table' })} data-testid="tab-table">
          Experiments
        </button>
        {multiSlot ? (
          <button type="button" role="tab" aria-selected={ui.tab === 'lineage'} className={ui.tab === 'lineage' ? 'active' : ''} onClick={() => updateHistoryUi(tag, { tab: 'lineage' })} data-testid="tab-lineage">
            Lineage
          </button>
        ) : null}
      </div>

      {ui.tab === 'lineage' && multiSlot && entry.partial ? (
        // A lineage drawn from the first page would name too few keeps and wrong forks: wait for all of them.
        <div className="muted pad lineage-pending" data-testid="lineage-pending">
          <p>
            Loading the run's experiments to draw its lineage: {(entry.loaded ?? d.experiments.length).toLocaleString()} of {(entry.total ?? d.experiments.length).toLocaleString()}…
          </p>
          <ProgressBar value={(entry.loaded ?? 0) / Math.max(1, entry.total ?? 1)} label="Experiments loaded" />
        </div>
      ) : ui.tab === 'lineage' && multiSlot ? (
        <LineageView experiments={d.experiments} bestId={d.bestId} onOpen={open} />
      ) : (
        <>
          <div className="history-filter">
            {EXPERIMENT_STATUSES.filter((s) => counts[s] > 0 || ui.statuses.has(s)).map((s) => (
              <button
                type="button"
                key={s}
                className={`chip st-${s}${ui.statuses.has(s) ? ' on' : ''}`}
                aria-pressed={ui.statuses.has(s)}
                onClick={() => toggleStatus(s)}
                data-testid={`filter-${s}`}
                title={s === 'keep' && baselineKept ? formatKeepRows(counts.keep, counts.keep - 1) : undefined}
              >
                {s} <span className="faint">{s === 'keep' && baselineKept ? `${counts.keep - 1} + baseline` : counts[s]}</span>
              </button>
            ))}
            <input
              type="search"
              className="grow"
              placeholder="Filter: words in the description, hypothesis or error; #12 for an experiment"
              value={ui.text}
              onChange={(e) => updateHistoryUi(tag, { text: e.target.value })}
              onKeyDown={(e) => {
                if (e.key === 'Escape') (e.target as HTMLInputElement).blur();
              }}
              data-testid="filter-text"
              aria-label="Filter experiments"
            />
            <span className="muted" data-testid="filter-count">
              {rows.length === allRows.length ? plural(rows.length, 'experiment') : `${groupThousands(rows.length)} of ${groupThousands(allRows.length)}`}
            </span>
            {ui.statuses.size || ui.text ? (
              <Button size="small" variant="ghost" onClick={() => updateHistoryUi(tag, { statuses: new Set(), text: '' })}>
                Clear
              </Button>
            ) : null}
          </div>
          <ExperimentTable
            rows={rows}
            sort={ui.sort}
            onSort={onSort}
            selectedId={ui.selectedId}
            onSelect={select}
            onOpen={open}
            metricName={d.metricName}
            heldoutName={d.config?.heldout?.metric.name ?? null}
            hrefFor={hrefFor}
            height="max(320px, calc(100vh - 250px))"
          />
          <div className="faint hint">Click a row or press Enter to open it · j/k or ↑/↓ to move · drag across the chart to zoom</div>
        </>
      )}
    </div>
  );
}
