// The Agent tab: what the proposer saw and did — the prompt, its text and thinking, each tool call with
// its result, token usage per turn — from the saved transcript (getTranscript).
import { useEffect, useMemo, useState, type JSX } from 'react';
import type { Experiment } from '../../shared/experiment.js';
import { useApi } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { Spinner } from '../components/Spinner.js';
import { formatCost, formatDuration, formatTokens } from '../components/format.js';
import { normalizeTranscript, type TranscriptEntry, type UsageLike } from './transcript-model.js';

type Load = { readonly state: 'loading' } | { readonly state: 'ready'; readonly raw: unknown } | { readonly state: 'error'; readonly error: string };

function usageText(u: UsageLike | null): string {
  if (!u) return '';
  const cache = u.cacheReadInputTokens || u.cacheCreationInputTokens ? ` (cache read ${formatTokens(u.cacheReadInputTokens)}, written ${formatTokens(u.cacheCreationInputTokens)})` : '';
  return `${formatTokens(u.inputTokens)} in · ${formatTokens(u.outputTokens)} out${cache}`;
}

function Collapsible(props: { readonly label: string; readonly text: string; readonly open?: boolean; readonly className?: string }): JSX.Element {
  return (
    <details className={`msg-block ${props.className ?? ''}`} open={props.open}>
      <summary className="label">{props.label}</summary>
      <pre>{props.text}</pre>
    </details>
  );
}

function Entry(props: { readonly e: TranscriptEntry }): JSX.Element {
  const e = props.e;
  switch (e.kind) {
    case 'system':
      return <Collapsible label="System prompt" text={e.text} />;
    case 'prompt':
      return <Collapsible label="Prompt" text={e.text} />;
    case 'turn':
      return (
        <div className="msg-head" data-testid="transcript-turn">
          <span>Turn {e.index + 1}</span>
          {e.stopReason ? <span>· {e.stopReason}</span> : null}
          {e.durationMs !== null ? <span>· {formatDuration(e.durationMs)}</span> : null}
          {e.usage ? <span className="grow" style={{ textAlign: 'right', textTransform: 'none' }}>{usageText(e.usage)}</span> : null}
        </div>
      );
    case 'text':
      return (
        <div className="msg-block" data-testid="transcript-text">
          <div className="label">{e.role === 'user' ? 'User' : 'Assistant'}</div>
          <p className="msg-text">{e.text}</p>
        </div>
      );
    case 'thinking':
      return <Collapsible label="Thinking" text={e.text} className="thinking" />;
    case 'tool_use':
      return (
        <div className="msg-block tool-use" data-testid="transcript-tool-use">
          <div className="label">
            Tool call: <b>{e.name}</b>
          </div>
          <pre>{e.input}</pre>
        </div>
      );
    case 'tool_result':
      return <Collapsible label={`${e.isError ? 'Tool error' : 'Tool result'}${e.name ? ` (${e.name})` : ''}`} text={e.content} className={`tool-result${e.isError ? ' error' : ''}`} open={e.isError || e.content.length < 400} />;
    case 'output':
      return <Collapsible label="Agent output" text={e.text} open />;
    case 'notice':
      return <div className={`banner ${e.level === 'error' ? 'error' : e.level === 'info' ? 'info' : ''}`}>{e.text}</div>;
  }
}

export function TranscriptView(props: { readonly tag: string; readonly experiment: Experiment }): JSX.Element {
  const { tag, experiment } = props;
  const api = useApi();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let alive = true;
    setLoad({ state: 'loading' });
    api
      .getTranscript({ tag, id: experiment.id })
      .then((raw) => alive && setLoad({ state: 'ready', raw }))
      .catch((err: unknown) => alive && setLoad({ state: 'error', error: (err as Error)?.message ?? String(err) }));
    return () => {
      alive = false;
    };
  }, [api, tag, experiment.id, attempt]);
  const t = useMemo(() => (load.state === 'ready' ? normalizeTranscript(load.raw) : null), [load]);

  const hypothesis = experiment.hypothesis ? (
    <div className="panel" style={{ marginBottom: 10 }}>
      <h3>Hypothesis</h3>
      <p className="msg-text">{experiment.hypothesis}</p>
    </div>
  ) : null;

  if (load.state === 'loading') return <Spinner label="Loading the transcript" />;
  if (load.state === 'error') {
    return (
      <div className="banner error" data-testid="transcript-error">
        <div className="grow">Could not load the transcript: {load.error}</div>
        <Button size="small" onClick={() => setAttempt((a) => a + 1)}>
          Try again
        </Button>
      </div>
    );
  }
  if (!t) {
    return (
      <div data-testid="transcript-none">
        {hypothesis}
        <div className="muted pad">
          {experiment.kind === 'baseline'
            ? 'The baseline runs the unchanged code: no agent was involved.'
            : 'No transcript was saved for this experiment (the mutation proposer keeps none).'}
        </div>
      </div>
    );
  }
  return (
    <div className="transcript" data-testid="transcript">
      {hypothesis}
      <div className="panel">
        <dl className="kv">
          <dt>Proposer</dt>
          <dd>{t.proposer}</dd>
          {t.model ? (
            <>
              <dt>Model</dt>
              <dd>{t.model}</dd>
            </>
          ) : null}
          {t.facts.map(([k, v]) => (
            <FactRow key={k} label={k} value={v} />
          ))}
          {t.usage ? (
            <>
              <dt>Tokens</dt>
              <dd data-testid="transcript-usage">{usageText(t.usage)}</dd>
              <dt>Cost</dt>
              <dd>{formatCost(t.usage.costUsd ?? null)}</dd>
            </>
          ) : null}
        </dl>
      </div>
      {t.raw !== null ? (
        <div className="msg-block">
          <div className="label">Transcript (shown as saved)</div>
          <pre>{t.raw}</pre>
        </div>
      ) : (
        <div className="msg">
          <div className="msg-body">
            {t.entries.map((e, i) => (
              <Entry key={i} e={e} />
            ))}
          </div>
        </div>
      )}
    </div>
  );
}

function FactRow(props: { readonly label: string; readonly value: string }): JSX.Element {
  return (
    <>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </>
  );
}
