// How the held-out check is said (issue #22): the best's held-out value against the baseline's, and the warning
// when the search metric improved but the held-out metric got worse. One wording for History, the dashboard,
// both reports and `autoresearch status`. Pure (no Node, no DOM).
import type { ProjectConfig } from './config.js';
import type { Experiment } from './experiment.js';

export interface HeldoutSummary {
  readonly name: string;
  readonly baseline: number | null;
  readonly best: number | null;
  /** The best's id, when it has a held-out value (or error). */
  readonly bestId: number | null;
  /** The search metric's improvement of the best over the baseline, in % of the baseline (positive = better). */
  readonly searchGainPct: number | null;
  /** The search metric improved while the held-out value is worse than the baseline's. */
  readonly worse: boolean;
  /** "The search metric improved 2.1 % but the held-out metric got worse (0.81 → 0.84): the gain may not carry over." */
  readonly warning: string | null;
  /** One line: "Held-out test_loss: 0.81 (baseline) → 0.84 (best, #3)". */
  readonly line: string;
}

const fmt = (v: number): string => String(Number(v.toPrecision(6)));

/** The held-out comparison of a run, or null when the config has no held-out check. */
export function heldoutSummary(config: Pick<ProjectConfig, 'heldout' | 'metric'>, experiments: Iterable<Experiment>, bestId: number | null): HeldoutSummary | null {
  const h = config.heldout;
  if (!h) return null;
  const byId = new Map<number, Experiment>();
  for (const e of experiments) byId.set(e.id, e);
  const base = byId.get(0) ?? null;
  // The best with a held-out value: the run's best, else the latest keep that has one (the best's check may still run).
  const best = bestId !== null && byId.get(bestId)?.heldout ? byId.get(bestId)! : [...byId.values()].filter((e) => e.status === 'keep' && e.id !== 0 && e.heldout?.value != null).pop() ?? null;
  const baseline = base?.heldout?.value ?? null;
  const bestValue = best && best.id !== 0 ? (best.heldout?.value ?? null) : null;
  let searchGainPct: number | null = null;
  if (best && best.id !== 0 && base?.metric != null && best.metric !== null && base.metric !== 0) {
    const gain = config.metric.direction === 'min' ? base.metric - best.metric : best.metric - base.metric;
    searchGainPct = (gain / Math.abs(base.metric)) * 100;
  }
  const heldoutWorse = baseline !== null && bestValue !== null && (h.metric.direction === 'min' ? bestValue > baseline : bestValue < baseline);
  const worse = heldoutWorse && searchGainPct !== null && searchGainPct > 0;
  const warning = worse ? `The search metric improved ${searchGainPct!.toFixed(1)} % but the held-out metric got worse (${fmt(baseline!)} → ${fmt(bestValue!)}): the gain may not carry over.` : null;
  const said = (e: Experiment | null, v: number | null) => (v !== null ? fmt(v) : e?.heldout?.error ? 'failed' : 'not measured yet');
  const line = `Held-out ${h.metric.name}: ${said(base, baseline)} (baseline)${best && best.id !== 0 ? ` → ${said(best, bestValue)} (best, #${best.id})` : ''}`;
  return { name: h.metric.name, baseline, best: bestValue, bestId: best && best.id !== 0 ? best.id : null, searchGainPct, worse, warning, line };
}

/** A History cell: the value, "failed" (with the error as its title), or empty when it did not run. */
export function heldoutCell(e: Pick<Experiment, 'heldout'>): { readonly text: string; readonly title: string | null } {
  if (!e.heldout) return { text: '', title: null };
  if (e.heldout.value !== null) return { text: fmt(e.heldout.value), title: null };
  return { text: 'failed', title: e.heldout.error };
}
