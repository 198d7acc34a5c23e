// The notice area: short messages in the corner (a failed save, a run notice). Any view may call toast().
// Calm by rule: info fades after a few seconds; warnings and errors stay until dismissed; the same message
// again raises a count on the one already shown instead of stacking; and a toast with a key replaces every
// earlier one with that key, so "Setup saved" takes the place of the "Not saved" it answers.
import { create } from 'zustand';
import { Button } from './Button.js';

export interface Toast {
  readonly id: number;
  readonly level: 'info' | 'warning' | 'error';
  readonly message: string;
  /** How many times this message was raised while shown. */
  readonly count: number;
  /** The action it reports (e.g. "setup-save"): a later toast with the same key replaces this one. */
  readonly key: string | null;
}

interface ToastState {
  readonly toasts: readonly Toast[];
}

const useToasts = create<ToastState>()(() => ({ toasts: [] }));
let nextId = 1;
const MAX_TOASTS = 5;
/** Info fades after this long; a repeat restarts the clock. */
export const INFO_TOAST_MS = 5_000;
const timers = new Map<number, ReturnType<typeof setTimeout>>();

function expireLater(id: number): void {
  clearTimeout(timers.get(id));
  timers.set(
    id,
    setTimeout(() => dismissToast(id), INFO_TOAST_MS),
  );
}

/** Show a message (line breaks are kept). `key` names the action it reports, so its next outcome replaces it. */
export function toast(level: Toast['level'], message: string, key: string | null = null): void {
  const { toasts } = useToasts.getState();
  const same = toasts.find((t) => t.level === level && t.message === message && t.key === key);
  if (same) {
    useToasts.setState({ toasts: toasts.map((t) => (t === same ? { ...t, count: t.count + 1 } : t)) });
    if (level === 'info') expireLater(same.id);
    return;
  }
  const id = nextId++;
  const kept = key === null ? toasts : toasts.filter((t) => t.key !== key);
  for (const t of toasts) if (!kept.includes(t)) clearTimeout(timers.get(t.id));
  // Over the cap the oldest info goes first: an error must stay until it is read.
  let next = [...kept, { id, level, message, count: 1, key }];
  while (next.length > MAX_TOASTS) {
    const drop = next.find((t) => t.level === 'info') ?? next[0]!;
    next = next.filter((t) => t !== drop);
  }
  useToasts.setState({ toasts: next });
  if (level === 'info') expireLater(id);
}

export function dismissToast(id: number): void {
  clearTimeout(timers.get(id));
  timers.delete(id);
  useToasts.setState((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
}

/** Takes back what was said about an action (its failure is now shown elsewhere, or no longer true). */
export function clearToast(key: string): void {
  for (const t of useToasts.getState().toasts) if (t.key === key) dismissToast(t.id);
}

export function ToastArea() {
  const toasts = useToasts((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite" data-testid="toasts">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.level}`} data-testid="toast" data-level={t.level} data-count={t.count}>
          <div className="grow toast-message">{t.message}</div>
          {t.count > 1 ? (
            <span className="toast-count" data-testid="toast-count" title={`Raised ${t.count} times`}>
              ×{t.count}
            </span>
          ) : null}
          <Button variant="ghost" size="small" aria-label="Dismiss" onClick={() => dismissToast(t.id)}>
            ×
          </Button>
        </div>
      ))}
    </div>
  );
}
