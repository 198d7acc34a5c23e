// Number formatting shared by the HTML and Markdown reports, so both say the same thing the same way.

// A metric, a change, a rate: one definition for the CLI, the app and both reports (src/shared/wording.ts).
export { formatMetric, formatRate } from '../../shared/wording.js';

/** GPU hours as the app says them (wording.ts). */
export { formatGpuHours as formatHours } from '../../shared/wording.js';

export function formatUsd(usd: number | null): string {
  if (usd === null || !Number.isFinite(usd)) return '—';
  return `$${usd.toFixed(2)}`;
}

export function formatDurationMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function shortCommit(commit: string | null): string {
  if (!commit) return '';
  return /^[0-9a-f]{8,}$/i.test(commit) ? commit.slice(0, 7) : commit;
}
