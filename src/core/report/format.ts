// Number formatting shared by the HTML and Markdown reports, so both say the same thing the same way.

/** A metric value as results.tsv writes it (6 decimals), switching to 6 significant digits for huge or tiny values. */
export function formatMetric(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 1e6) return value.toPrecision(6);
  // 6 decimals would show 0.000000; 4 significant digits instead, as short as possible.
  if (abs !== 0 && abs < 5e-7) return String(Number(value.toPrecision(4)));
  return value.toFixed(6);
}

/** A signed difference in metric units: "+0.001234" / "−0.001234" (true minus sign). */
export function formatSigned(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  const text = formatMetric(Math.abs(value));
  if (value > 0) return `+${text}`;
  if (value < 0) return `\u2212${text}`;
  return text;
}

export function formatPercent(fraction: number | null, digits = 1): string {
  if (fraction === null || !Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** An improvement percentage whose sign means better/worse, said in words so the direction is never ambiguous. */
export function formatImprovementPct(pct: number | null): string {
  if (pct === null || !Number.isFinite(pct)) return '—';
  const abs = Math.abs(pct);
  const text = `${abs.toFixed(abs !== 0 && abs < 0.01 ? 3 : 2)} %`;
  if (pct > 0) return `${text} better`;
  if (pct < 0) return `${text} worse`;
  return 'no change';
}

export function formatHours(hours: number | null): string {
  if (hours === null || !Number.isFinite(hours)) return '—';
  return hours >= 10 ? hours.toFixed(1) : hours.toFixed(2);
}

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
