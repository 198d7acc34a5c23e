// The open project's trust (core/project/trust.ts), read through the Api whenever the project changes (each
// `project` push is a new object: opened, saved, refreshed). Kept apart from the studio store: it is asked for,
// never pushed, and only the trust panel and Start's reason read it.
import { create } from 'zustand';
import type { TrustReport } from '../../shared/api.js';

interface TrustState {
  /** The project dir (as ProjectInfo says it) the report belongs to, and the report; null: not read yet. */
  readonly forDir: string | null;
  readonly report: TrustReport | null;
}

export const useTrust = create<TrustState>(() => ({ forDir: null, report: null }));

export function setTrust(forDir: string | null, report: TrustReport | null): void {
  useTrust.setState({ forDir, report });
}

/** Why Start cannot be used because of trust, or null (trusted, or not known yet: the server checks again). */
export function trustStartReason(projectDir: string | null, state: TrustState): string | null {
  if (!projectDir || state.forDir !== projectDir || !state.report || state.report.state === 'trusted') return null;
  return state.report.state === 'changed'
    ? "The project's commands changed since you trusted them: review them in the trust panel first"
    : "Trust the project's commands first (the trust panel lists what would run)";
}
