import { useEffect, useRef, type ReactNode } from 'react';
import { Button } from './Button.js';

/** A small modal that asks before something that cannot be undone (stop a run). */
export function ConfirmDialog(props: {
  readonly title: string;
  readonly children?: ReactNode;
  readonly confirmLabel: string;
  readonly danger?: boolean;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}) {
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    confirmRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') props.onCancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [props]);
  return (
    <div className="modal-backdrop" onClick={props.onCancel}>
      <div className="modal" role="dialog" aria-label={props.title} onClick={(e) => e.stopPropagation()} data-testid="confirm-dialog">
        <h2>{props.title}</h2>
        {props.children}
        <div className="actions">
          <Button onClick={props.onCancel}>Cancel</Button>
          <Button ref={confirmRef} variant={props.danger ? 'danger' : 'primary'} onClick={props.onConfirm} data-testid="confirm-ok">
            {props.confirmLabel}
          </Button>
        </div>
      </div>
    </div>
  );
}
