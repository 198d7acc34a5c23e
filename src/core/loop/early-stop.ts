// Early stopping in the loop (issue #23): every run's output is read for its intermediate points (its curve,
// recorded with the run when config.earlyStop.pattern is set), and a candidate's first run is judged against the
// best's curves as each point arrives (early-stop-rule.ts); a stop aborts the run through its own signal, which
// kills its process tree the way a timeout does (SIGTERM, then SIGKILL after the grace seconds).
import type { ProjectConfig } from '../../shared/config.js';
import { curvePatternGroups, type CurvePoint, type EarlyStopInfo } from '../../shared/config-early-stop.js';
import type { CurveTestResult } from '../../shared/api-project.js';
import type { ExperimentRunResult } from '../../shared/experiment.js';
import type { RunRecord } from '../journal/fold.js';
import { curveReader, downsample, judgeCurve, ruleSettings, type RuleVerdict } from './early-stop-rule.js';

/** Points kept while a run goes: past this many, every other one is dropped (the rule reads the last few and one halfway back). */
const LIVE_POINTS = 2048;
/** No intermediate line is longer; a longer one is skipped rather than held. */
const MAX_LINE = 64 * 1024;

/** Decides, for the points so far and the fraction of the budget spent, whether to stop. */
export type CurveJudge = (points: readonly CurvePoint[], fraction: number) => Omit<EarlyStopInfo, 'axis'> | null;

export interface CurveWatch {
  push(text: string): void;
  end(): void;
  /** Aborted when the judge said stop. */
  readonly signal: AbortSignal;
  /** Why the run was stopped, or null. */
  stopped(): EarlyStopInfo | null;
  /** The run's fields for its curve (downsampled), empty when it printed no point. */
  fields(): Pick<ExperimentRunResult, 'curve' | 'curveAxis'>;
  /** Lines the pattern matched so far (points read, before any was dropped or thinned). */
  matched(): number;
}

/** A watch over one run's output; null when no pattern is set (nothing to read). */
export function watchCurve(config: Pick<ProjectConfig, 'earlyStop' | 'budget'>, judge: CurveJudge | null, startedAt = Date.now()): CurveWatch | null {
  const { pattern } = config.earlyStop;
  if (!pattern) return null;
  const reader = curveReader(pattern, () => (Date.now() - startedAt) / 1000);
  if (!reader) return null;
  const controller = new AbortController();
  let points: CurvePoint[] = [];
  let partial = '';
  let stop: EarlyStopInfo | null = null;
  let matched = 0;
  const line = (text: string) => {
    const p = reader.line(text);
    if (!p) return;
    matched++;
    // A step printed again (a resumed loop) or going back is not a new point of this curve.
    if (points.length && p[0] <= points[points.length - 1]![0]) return;
    points.push(p);
    if (points.length > LIVE_POINTS) points = points.filter((_, i) => i % 2 === 1);
    if (!judge || stop) return;
    const verdict = judge(points, (Date.now() - startedAt) / 1000 / config.budget.seconds);
    if (verdict) {
      stop = { ...verdict, axis: reader.axis };
      controller.abort();
    }
  };
  return {
    signal: controller.signal,
    push(text) {
      const pieces = (partial + text).split(/\r\n|\r|\n/);
      partial = pieces.pop()!;
      if (partial.length > MAX_LINE) partial = '';
      for (const l of pieces) if (l.length <= MAX_LINE) line(l);
    },
    end() {
      if (partial) line(partial);
      partial = '';
    },
    stopped: () => stop,
    fields: () => (points.length ? { curve: downsample(points), curveAxis: reader.axis } : {}),
    matched: () => matched,
  };
}

const curvesOf = (runs: readonly ExperimentRunResult[], axis: 'step' | 'seconds') =>
  runs.filter((r) => r.curve && r.curve.length > 0 && (r.curveAxis ?? 'step') === axis).map((r) => r.curve!);

/**
 * The judge of a candidate's run against the current best: the mean of the best's curves, the noise from the
 * spread of the best's repeated curves (the baseline's when the best ran once). Null when early stopping is off,
 * the best has no curve, or no commit has two curves (no noise is known, so nothing could be called clearly worse).
 */
export function candidateJudge(config: ProjectConfig, record: Pick<RunRecord, 'bestId' | 'experiments'>): CurveJudge | null {
  if (!config.earlyStop.enabled || !config.earlyStop.pattern || record.bestId === null) return null;
  const best = record.experiments.get(record.bestId);
  if (!best) return null;
  const axis = best.runs.find((r) => r.curve?.length)?.curveAxis ?? 'step';
  const bestCurves = curvesOf(best.runs, axis);
  const baseline = [...record.experiments.values()].find((e) => e.kind === 'baseline');
  const repeats = bestCurves.length >= 2 ? bestCurves : curvesOf(baseline?.runs ?? [], axis);
  if (bestCurves.length === 0 || repeats.length < 2) return null;
  const settings = ruleSettings(config.earlyStop, config.metric.direction);
  return (points, fraction) => {
    const v: RuleVerdict | null = judgeCurve(settings, { candidate: points, best: bestCurves, repeats, fraction });
    return v ? { ...v, bestId: best.id } : null;
  };
}

/**
 * Setup's "Test the pattern": the curve `pattern` reads from `text` (a log, or pasted output), as a run would
 * record it; or why it reads nothing, said so the user can fix the pattern.
 */
export function testCurveOnText(pattern: string, text: string): CurveTestResult {
  const none = (error: string): CurveTestResult => ({ points: [], matchedLines: 0, axis: null, error });
  if (!pattern.trim()) return none('Type the pattern of the intermediate metric first, e.g. step (\\d+) .* val_loss ([0-9.]+)');
  const g = curvePatternGroups(pattern);
  if ('error' in g) return none(g.error);
  if (g.groups !== 1 && g.groups !== 2) return none(`The pattern has ${g.groups} capture groups; it needs two (step, then value) or one (the value).`);
  // The run's own watch (no judge: nothing is stopped), so the test reads exactly what a run would record.
  const watch = watchCurve({ earlyStop: { enabled: false, pattern, minFraction: 0, margin: 0 }, budget: { seconds: 1 } as ProjectConfig['budget'] }, null)!;
  watch.push(text);
  watch.end();
  const matchedLines = watch.matched();
  const { curve = [], curveAxis = null } = watch.fields();
  if (matchedLines === 0) return none('The pattern matched no line of this output. Check it against a line the trainer prints (the groups must capture numbers).');
  return { points: curve, matchedLines, axis: curveAxis, error: null };
}
