// Start, pause, resume, stop and steer the run, from every screen.
import { useEffect, useRef, useState } from 'react';
import type { ApiArgs } from '../../shared/api.js';
import { useApi } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { MOD } from '../components/KeyboardShortcuts.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { toast } from '../components/Toast.js';
import { useStudio } from '../store/studio.js';
import { runControls } from './run-readiness.js';
import { navigate } from './router.js';
import { steerUnreadReason } from '../../shared/proposer-reads.js';
import { trustStartReason, useTrust } from '../trust/trust-store.js';

/** Fired by the Ctrl/Cmd+Enter shortcut; the bar owns the start options, so it does the starting. */
export const START_RUN_EVENT = 'autoresearch:start-run';

export function RunControlBar() {
  const api = useApi();
  const project = useStudio((s) => s.project);
  const live = useStudio((s) => s.live);
  const connected = useStudio((s) => s.connected);
  const [tag, setTag] = useState('');
  const [maxExperiments, setMaxExperiments] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirmStop, setConfirmStop] = useState(false);
  // A start in flight (it takes seconds). A ref, not only state: a click and Ctrl+Enter can both arrive before
  // React renders the disabled button, and the second must not ask for a second run.
  const starting = useRef(false);
  const [startingNow, setStartingNow] = useState(false);
  const trust = useTrust();
  const base = runControls(project, live, connected);
  // Nothing from the project runs until its commands are trusted (the trust panel says what they are).
  const controls = { ...base, start: base.start ?? trustStartReason(project?.dir ?? null, trust) };
  // A proposer that reads no notes gets no invitation to write one (proposer-reads.ts).
  const unread = project?.config ? steerUnreadReason(project.config.agent.proposer) : null;
  const steerOff = unread ?? controls.steer;
  const state = live?.state ?? null;

  async function act<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    try {
      return await fn();
    } catch (err) {
      toast('error', `${what}: ${(err as Error).message}`, what);
      return undefined;
    } finally {
      setBusy(false);
    }
  }

  const maxValid = maxExperiments.trim() === '' || /^[1-9]\d*$/.test(maxExperiments.trim());

  async function start(): Promise<void> {
    if (starting.current || controls.start || !maxValid) return;
    const args: ApiArgs<'startRun'> = {};
    if (tag.trim()) args.tag = tag.trim();
    if (maxExperiments.trim()) args.maxExperiments = Number(maxExperiments.trim());
    starting.current = true;
    setStartingNow(true);
    const result = await act('Could not start the run', () => api.startRun(args)).finally(() => {
      starting.current = false;
      setStartingNow(false);
    });
    if (result) {
      toast('info', `Run ${result.tag} started`, 'Could not start the run');
      navigate({ view: 'run' });
    }
  }

  async function steer(): Promise<void> {
    const text = note.trim();
    if (!text || steerOff) return;
    const done = await act('Could not send the note', () => api.steer({ note: text }));
    if (done !== undefined) {
      setNote('');
      toast('info', 'Note sent; the agent sees it from its next proposal on');
    }
  }

  useEffect(() => {
    const onStart = () => void start();
    window.addEventListener(START_RUN_EVENT, onStart);
    return () => window.removeEventListener(START_RUN_EVENT, onStart);
  });

  return (
    <div className="run-bar" data-testid="run-bar">
      {state ? <StatusBadge status={state} /> : <span className="faint">No run</span>}
      {live ? <span className="mono muted" data-testid="run-bar-tag">{live.tag}</span> : null}
      <span className="sep" />
      {!live || state === 'stopped' ? (
        <>
          <input
            aria-label="Run tag"
            placeholder="tag (optional)"
            value={tag}
            onChange={(e) => setTag(e.target.value)}
            style={{ width: 110 }}
            data-testid="run-tag"
          />
          <input
            aria-label="Max experiments"
            placeholder="max exps"
            value={maxExperiments}
            onChange={(e) => setMaxExperiments(e.target.value)}
            aria-invalid={!maxValid}
            title={maxValid ? 'Stop after this many experiments (empty: the setup decides)' : 'A whole number above 0'}
            style={{ width: 80 }}
            data-testid="run-max"
          />
          <Button
            variant="primary"
            onClick={() => void start()}
            disabledReason={startingNow ? 'Starting the run…' : busy ? 'Working…' : (controls.start ?? (maxValid ? null : 'Max experiments must be a whole number above 0'))}
            title={`Start a run (${MOD}+Enter)`}
            data-testid="run-start"
            data-starting={startingNow ? 'true' : 'false'}
          >
            ▶ Start
          </Button>
        </>
      ) : (
        <>
          {state === 'paused' ? (
            <Button onClick={() => void act('Could not resume', () => api.resumeRun({}))} disabledReason={busy ? 'Working…' : controls.resume} data-testid="run-resume">
              ▶ Resume
            </Button>
          ) : (
            <Button
              onClick={() => void act('Could not pause', () => api.pauseRun({}))}
              disabledReason={busy ? 'Working…' : controls.pause}
              title="Finish the experiments in progress, then wait"
              data-testid="run-pause"
            >
              ❚❚ Pause
            </Button>
          )}
          <Button variant="danger" onClick={() => setConfirmStop(true)} disabledReason={busy ? 'Working…' : controls.stop} data-testid="run-stop">
            ■ Stop
          </Button>
        </>
      )}
      <span className="sep" />
      <form
        className="grow"
        onSubmit={(e) => {
          e.preventDefault();
          void steer();
        }}
      >
        <input
          aria-label="Steering note"
          placeholder={unread ? `Steering notes: not read by the ${project!.config!.agent.proposer} proposer` : controls.steer ? 'Steering note (when a run is live)' : 'Steering note for the agent, e.g. "try a smaller learning rate"'}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          disabled={Boolean(steerOff)}
          title={steerOff ?? 'Sent to the agent with its next proposal'}
          data-testid="steer-input"
        />
        <Button type="submit" disabledReason={steerOff ?? (note.trim() ? null : 'Write a note first')} data-testid="steer-send">
          Send
        </Button>
      </form>
      {confirmStop ? (
        <ConfirmDialog
          title="Stop the run?"
          confirmLabel="Stop run"
          danger
          onCancel={() => setConfirmStop(false)}
          onConfirm={() => {
            setConfirmStop(false);
            void act('Could not stop', () => api.stopRun({}));
          }}
        >
          <p className="muted">Experiments in progress are killed and recorded as interrupted. The run can be resumed later.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
