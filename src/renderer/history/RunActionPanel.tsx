// The frame History's Audit and Finalize panels share: a title and what the action does, the action's
// fields, its button (with a spinner while it works and the reason when it cannot), Close, the error when
// it failed, and what it made. useRunAction holds the action's state for the panel.
import { useState, type JSX, type ReactNode } from 'react';
import { Button } from '../components/Button.js';
import { Spinner } from '../components/Spinner.js';

export type RunActionState<T> =
  | { readonly kind: 'idle' }
  | { readonly kind: 'busy' }
  | { readonly kind: 'done'; readonly result: T }
  | { readonly kind: 'error'; readonly message: string };

/** Runs `action` when `go` is called; its outcome becomes the state (a failure's message, never a throw). */
export function useRunAction<T>(action: () => Promise<T>): { readonly state: RunActionState<T>; readonly go: () => Promise<void> } {
  const [state, setState] = useState<RunActionState<T>>({ kind: 'idle' });
  const go = async () => {
    setState({ kind: 'busy' });
    try {
      setState({ kind: 'done', result: await action() });
    } catch (err) {
      setState({ kind: 'error', message: (err as Error)?.message ?? String(err) });
    }
  };
  return { state, go };
}

export function RunActionPanel<T>(props: {
  /** Names the panel's class and test ids: `<name>-panel`, `<name>-go`, `<name>-error`. */
  readonly name: 'audit' | 'finalize' | 'ablate';
  readonly title: string;
  readonly description: ReactNode;
  /** The inputs shown before the button. */
  readonly fields: ReactNode;
  readonly actionLabel: string;
  /** The button's reason while the action works, e.g. "Auditing…". */
  readonly busyReason: string;
  /** Why the action cannot run now; null when it can. */
  readonly disabledReason: string | null;
  readonly state: RunActionState<T>;
  readonly onGo: () => void;
  readonly onClose: () => void;
  /** What the panel shows below: the action's result, or an earlier one. */
  readonly children?: ReactNode;
}): JSX.Element {
  const busy = props.state.kind === 'busy';
  return (
    <div className={`panel ${props.name}`} data-testid={`${props.name}-panel`}>
      <h3>{props.title}</h3>
      <p className="muted">{props.description}</p>
      <div className="finalize-form">
        {props.fields}
        <Button variant="primary" onClick={props.onGo} disabledReason={busy ? props.busyReason : props.disabledReason} data-testid={`${props.name}-go`}>
          {busy ? <Spinner /> : null} {props.actionLabel}
        </Button>
        <Button variant="ghost" onClick={props.onClose}>
          Close
        </Button>
      </div>
      {props.state.kind === 'error' ? (
        <p className="error" role="alert" data-testid={`${props.name}-error`}>
          {props.state.message}
        </p>
      ) : null}
      {props.children}
    </div>
  );
}
