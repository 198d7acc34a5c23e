// Theme: 'dark' | 'light', always set on <html data-theme> (so the CSS has one light palette). The user's
// choice is persisted locally; without one, the system's preference is applied and followed.
import { useSyncExternalStore } from 'react';

export type Theme = 'dark' | 'light';
const KEY = 'autoresearch.theme';
const listeners = new Set<() => void>();

function stored(): Theme | null {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'dark' || v === 'light' ? v : null;
  } catch {
    // Storage refused (a private window): follow the system's theme.
    return null;
  }
}

/** The theme in effect: the user's choice, else the system's. */
export function currentTheme(): Theme {
  const attr = document.documentElement.dataset.theme;
  if (attr === 'dark' || attr === 'light') return attr;
  return systemTheme();
}

function systemTheme(): Theme {
  return window.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

export function applySavedTheme(): void {
  document.documentElement.dataset.theme = stored() ?? systemTheme();
  // Follow the system while the user has not chosen.
  window.matchMedia?.('(prefers-color-scheme: light)').addEventListener?.('change', () => {
    if (stored()) return;
    document.documentElement.dataset.theme = systemTheme();
    for (const l of [...listeners]) l();
  });
}

export function setTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // Private windows may refuse storage; the choice then lasts for this page only.
  }
  for (const l of [...listeners]) l();
}

export function useTheme(): Theme {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      const mq = window.matchMedia?.('(prefers-color-scheme: light)');
      mq?.addEventListener('change', cb);
      return () => {
        listeners.delete(cb);
        mq?.removeEventListener('change', cb);
      };
    },
    currentTheme,
    () => 'dark' as Theme,
  );
}
