// One experiment (#/history/<tag>/<id>): what it tried and how it went — status, metric and its change,
// description and hypothesis — and tabs for the diff, the full log, the agent's transcript and the
// numbers. Esc goes back to the table; j/k step to the next/previous experiment.
import { describeConfidence, measuredRuns, type ExperimentApproval } from '../../shared/experiment.js';
import { useEffect, useMemo, useState, type JSX } from 'react';
import { experimentChange, formatEstimate, GLOSSARY, metricChange, plural } from '../../shared/wording.js';
import { navigate } from '../app/router.js';
import { Button } from '../components/Button.js';
import { EmptyState } from '../components/EmptyState.js';
import { Spinner } from '../components/Spinner.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { ChangeText } from '../components/ChangeText.js';
import { formatDuration, formatMetric } from '../components/format.js';
import { CurveChart } from '../chart/CurveChart.js';
import { DiffView } from './DiffView.js';
import { updateHistoryUi } from './history-ui.js';
import { LogViewer } from './LogViewer.js';
import { MetricsPanel } from './MetricsPanel.js';
import { reloadRun, useRun } from './run-store.js';
import { TranscriptView } from './TranscriptView.js';
import './history.css';

type Tab = 'diff' | 'log' | 'agent' | 'metrics';
const TABS: readonly { readonly id: Tab; readonly label: string }[] = [
  { id: 'diff', label: 'Diff' },
  { id: 'log', label: 'Log' },
  { id: 'agent', label: 'Agent' },
  { id: 'metrics', label: 'Metrics' },
];
// The tab survives moving between experiments (reviewing diffs one after another).
let lastTab: Tab = 'diff';

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

export function ExperimentView(props: { tag: string; id: number }): JSX.Element {
  const { tag, id } = props;
  const entry = useRun(tag);
  const [tab, setTabState] = useState<Tab>(lastTab);
  const [logRun, setLogRun] = useState(0);
  const setTab = (t: Tab) => {
    lastTab = t;
    setTabState(t);
  };
  const detail = entry?.state === 'ready' ? entry.detail : null;
  const index = useMemo(() => (detail ? detail.experiments.findIndex((e) => e.id === id) : -1), [detail, id]);
  const experiment = detail && index >= 0 ? detail.experiments[index]! : null;
  const prev = detail && index > 0 ? detail.experiments[index - 1]! : null;
  const next = detail && index >= 0 && index < detail.experiments.length - 1 ? detail.experiments[index + 1]! : null;

  useEffect(() => setLogRun(0), [id]);
  useEffect(() => updateHistoryUi(tag, { selectedId: id }), [tag, id]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'Escape') {
        if (document.querySelector('.modal-backdrop')) return;
        e.preventDefault();
        navigate({ view: 'history', tag });
      } else if (e.key === 'j' && next) navigate({ view: 'experiment', tag, id: next.id });
      else if (e.key === 'k' && prev) navigate({ view: 'experiment', tag, id: prev.id });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [tag, prev, next]);

  if (!entry || entry.state === 'loading') {
    return (
      <EmptyState title={`Loading ${tag} #${id}…`} testId="experiment-loading">
        <Spinner />
      </EmptyState>
    );
  }
  if (entry.state === 'error') {
    return (
      <EmptyState title={`Could not open the run ${tag}`} testId="experiment-error" actions={<Button onClick={() => reloadRun(tag)}>Try again</Button>}>
        {entry.error}
      </EmptyState>
    );
  }
  const d = entry.detail;
  if (!experiment) {
    return (
      <EmptyState
        title={`There is no experiment #${id} in ${tag}`}
        testId="experiment-missing"
        actions={<Button onClick={() => navigate({ view: 'history', tag })}>Back to {tag}</Button>}
      >
        The run has {plural(d.experiments.length, 'experiment')} (#{d.experiments[0]?.id ?? 0}–#{d.experiments[d.experiments.length - 1]?.id ?? 0}).
      </EmptyState>
    );
  }

  const e = experiment;
  const baseline = d.baseline;
  const vsBest = experimentChange(e, d.direction);
  const vsBaseline = e.kind === 'baseline' ? null : metricChange(e.metric, baseline, d.direction);

  return (
    <div className="view-pad wide" data-testid="experiment" data-id={e.id} data-status={e.status}>
      <div className="xp-detail-head">
        <div className="grow">
          <div className="muted" style={{ marginBottom: 4 }}>
            <a href={`#/history/${encodeURIComponent(tag)}`} data-testid="back-to-history">
              ← {tag}
            </a>
            {e.baseId !== null && e.carried ? (
              // A combination has two parents: the best it was carried onto, and the best its change was proposed on.
              <span data-testid="carried-from" title={`The change was proposed on #${e.carried.fromBaseId ?? '?'}, where it measured ${formatMetric(e.carried.aloneMetric)} alone; #${e.baseId} was kept meanwhile, so the change was carried onto #${e.baseId} (a three-way merge) and measured there.`}>
                {' '}
                · parents{' '}
                <a href={`#/history/${encodeURIComponent(tag)}/${e.baseId}`} data-testid="parent-link">
                  #{e.baseId}
                </a>{' '}
                (carried onto) and{' '}
                {e.carried.fromBaseId !== null ? (
                  <a href={`#/history/${encodeURIComponent(tag)}/${e.carried.fromBaseId}`} data-testid="carried-from-link">
                    #{e.carried.fromBaseId}
                  </a>
                ) : (
                  '?'
                )}{' '}
                (proposed on; <span className="mono">{formatMetric(e.carried.aloneMetric)}</span> alone)
              </span>
            ) : e.baseId !== null ? (
              <>
                {' '}
                · based on{' '}
                <a href={`#/history/${encodeURIComponent(tag)}/${e.baseId}`} data-testid="parent-link">
                  #{e.baseId}
                </a>
              </>
            ) : null}
            {' '}· slot {e.slot}
            {e.where ? <span data-testid="experiment-where"> · ran on {e.where === 'local' ? 'this machine' : e.where}</span> : null}
            {e.approval ? <span data-testid="experiment-approval"> · {approvalText(e.approval)}</span> : null}
          </div>
          <h1>
            <span>#{e.id}</span>
            <StatusBadge status={e.status} />
            <span data-testid="experiment-description">{e.description || (e.kind === 'baseline' ? 'baseline' : '(no description)')}</span>
          </h1>
          {e.hypothesis ? <p className="xp-hypothesis">{e.hypothesis}</p> : null}
          {e.baseWhy ? (
            <p className="xp-base-why" data-testid="experiment-base-why">
              Why it started from #{e.proposedOn?.baseId ?? e.carried?.fromBaseId ?? e.baseId ?? '?'}: {e.baseWhy}
            </p>
          ) : null}
        </div>
        <div className="nav">
          <Button size="small" disabledReason={prev ? null : 'This is the first experiment'} onClick={() => prev && navigate({ view: 'experiment', tag, id: prev.id })} title="Previous (k)" data-testid="prev-experiment">
            {prev ? `← #${prev.id}` : '← prev'}
          </Button>
          <Button size="small" disabledReason={next ? null : 'This is the last experiment'} onClick={() => next && navigate({ view: 'experiment', tag, id: next.id })} title="Next (j)" data-testid="next-experiment">
            {next ? `#${next.id} →` : 'next →'}
          </Button>
        </div>
      </div>

      <div className="figures">
        <div className="figure" data-testid="xp-metric">
          <div className="figure-label">{d.metricName}</div>
          <div className="figure-value mono">{formatEstimate(e.metric, measuredRuns(e))}</div>
          {e.measuredAtDecision ? (
            // Measured again since its decision (the noise rule re-measures the best): what the decision saw stays.
            <div className="faint small" data-testid="xp-first-measured">
              first measured {formatEstimate(e.measuredAtDecision.metric, e.measuredAtDecision.runs)} when decided
            </div>
          ) : null}
        </div>
        <div className="figure" title={GLOSSARY.change} data-testid="xp-change">
          <div className="figure-label" data-testid="xp-best-before">Change vs best before ({formatEstimate(e.bestBefore, e.confidence?.bestRuns)})</div>
          <div className="figure-value">
            <ChangeText change={vsBest} />
          </div>
        </div>
        {e.confidence ? (
          <div className="figure" data-testid="xp-confidence" title={`${e.confidence.rule} rule: gain ${formatMetric(e.confidence.gain)} over ${e.confidence.runs} run(s) against the best's ${e.confidence.bestRuns}; noise σ ${e.confidence.noiseSd === null ? 'unknown' : formatMetric(e.confidence.noiseSd)}${e.confidence.bound !== null ? `; needed ${e.confidence.bound.toFixed(2)} SE` : ''}`}>
            <div className="figure-label">Confidence</div>
            <div className={`figure-value ${e.status === 'keep' && e.confidence.label === 'within-noise' ? 'noise-keep' : e.confidence.label === 'clear' ? 'good-text' : ''}`}>{describeConfidence(e.confidence)}</div>
          </div>
        ) : null}
        <div className="figure" title={`The metric against the baseline (${formatMetric(baseline)}), said the same way`} data-testid="xp-change-baseline">
          <div className="figure-label">Change vs baseline</div>
          <div className="figure-value">
            <ChangeText change={vsBaseline} title={`The metric against the baseline (${formatMetric(baseline)}), said the same way`} />
          </div>
        </div>
        <div className="figure">
          <div className="figure-label">Duration</div>
          <div className="figure-value">{formatDuration(e.timings.totalMs ?? e.timings.trainingMs)}</div>
        </div>
        <div className="figure">
          <div className="figure-label">Commit</div>
          <div className="figure-value mono">{e.commit ? e.commit.slice(0, 7) : '—'}</div>
        </div>
      </div>
      {e.error ? (
        <div className={`banner ${e.status === 'timeout' ? '' : 'error'} xp-error`} data-testid="experiment-error-text">
          <div className="grow">{e.error}</div>
          {e.logPath ? (
            <Button size="small" onClick={() => setTab('log')}>
              Show the log
            </Button>
          ) : null}
        </div>
      ) : null}

      <CurveChart experiment={e} experiments={d.experiments} />

      <div className="tabs" role="tablist">
        {TABS.map((t) => (
          <button type="button" role="tab" key={t.id} aria-selected={tab === t.id} className={tab === t.id ? 'active' : ''} onClick={() => setTab(t.id)} data-testid={`tab-${t.id}`}>
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === 'diff' ? <DiffView key={`${tag}/${e.id}`} tag={tag} experiment={e} /> : null}
        {tab === 'log' ? (
          // A running experiment's record gets its log path at the end; its log exists already.
          e.status === 'running' || e.logPath || e.runs.length > 0 ? (
            <>
              {e.runs.length > 1 ? (
                <div className="toolbar">
                  <div className="seg" role="group" aria-label="Run">
                    {e.runs.map((r, i) => (
                      <button type="button" key={i} aria-pressed={logRun === i} onClick={() => setLogRun(i)}>
                        Run {i + 1} · {formatMetric(r.metric)}
                      </button>
                    ))}
                  </div>
                </div>
              ) : null}
              <LogViewer key={`${tag}/${e.id}/${logRun}`} tag={tag} id={e.id} run={logRun} live={e.status === 'running'} />
            </>
          ) : (
            <div className="muted pad" data-testid="log-none">
              This experiment has no log: {e.status === 'rejected' ? 'the proposal was rejected before anything ran.' : 'nothing was run.'}
            </div>
          )
        ) : null}
        {tab === 'agent' ? <TranscriptView key={`${tag}/${e.id}`} tag={tag} experiment={e} /> : null}
        {tab === 'metrics' ? (
          <MetricsPanel
            experiment={e}
            metricName={d.metricName}
            onShowLog={(run) => {
              setLogRun(run);
              setTab('log');
            }}
          />
        ) : null}
      </div>
    </div>
  );
}

/** How the researcher's answer to a proposal that waited for approval is said on its page. */
function approvalText(a: ExperimentApproval): string {
  const from = a.by === 'terminal' ? ' from the terminal' : a.by === 'app' ? ' in the app' : '';
  switch (a.state) {
    case 'waiting':
      return 'waits for your approval';
    case 'approve':
      return `approved${from}`;
    case 'edit':
      return `edited and approved${from} (proposed as ${a.proposedCommit.slice(0, 7)})`;
    case 'reject':
      return `rejected${from}`;
  }
}
