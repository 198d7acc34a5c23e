// The notice area: short messages in the corner (a failed save, a run notice). Any view may call toast().
import { create } from 'zustand';
import { Button } from './Button.js';

export interface Toast {
  readonly id: number;
  readonly level: 'info' | 'warning' | 'error';
  readonly message: string;
}

interface ToastState {
  readonly toasts: readonly Toast[];
}

const useToasts = create<ToastState>()(() => ({ toasts: [] }));
let nextId = 1;
const MAX_TOASTS = 5;

/** Show a message; info fades after a few seconds, warnings and errors stay until dismissed. */
export function toast(level: Toast['level'], message: string): void {
  const id = nextId++;
  useToasts.setState((s) => ({ toasts: [...s.toasts, { id, level, message }].slice(-MAX_TOASTS) }));
  if (level === 'info') setTimeout(() => dismissToast(id), 5_000);
}

export function dismissToast(id: number): void {
  useToasts.setState((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
}

export function ToastArea() {
  const toasts = useToasts((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite" data-testid="toasts">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.level}`} data-testid="toast" data-level={t.level}>
          <div className="grow">{t.message}</div>
          <Button variant="ghost" size="small" aria-label="Dismiss" onClick={() => dismissToast(t.id)}>
            ×
          </Button>
        </div>
      ))}
    </div>
  );
}
