// Labels for kept experiments: most important first (baseline, final best, biggest gains), each tried in
// a few spots around its dot and dropped when every spot overlaps a label already placed or leaves the
// plot. Greedy and O(labels²), fine for the few dozen a chart can show.
import type { KeptPoint } from '../../shared/progress.js';
import type { PlotRect } from './geometry.js';

export interface LabelCandidate {
  readonly key: number;
  readonly x: number;
  readonly y: number;
  readonly text: string;
}

export interface PlacedLabel {
  readonly key: number;
  readonly text: string;
  /** Top-left of the text box. */
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  readonly anchorX: number;
  readonly anchorY: number;
}

export interface LabelOptions {
  readonly maxLabels: number;
  readonly lineHeight: number;
  /** Longer texts are cut with an ellipsis. */
  readonly maxChars: number;
  /** Boxes labels must not cover (the legend). */
  readonly avoid?: readonly { left: number; top: number; width: number; height: number }[];
}

export function truncate(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : text.slice(0, Math.max(1, maxChars - 1)).trimEnd() + '…';
}

function overlaps(a: { left: number; top: number; width: number; height: number }, b: { left: number; top: number; width: number; height: number }): boolean {
  return a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;
}

/** Place labels in the given priority order (most important first). */
export function placeLabels(
  candidates: readonly LabelCandidate[],
  measure: (text: string) => number,
  bounds: PlotRect,
  options: LabelOptions,
): readonly PlacedLabel[] {
  const placed: PlacedLabel[] = [];
  const avoid = options.avoid ?? [];
  const h = options.lineHeight;
  for (const c of candidates) {
    if (placed.length >= options.maxLabels) break;
    const text = truncate(c.text, options.maxChars);
    const w = measure(text);
    const spots = [
      { left: c.x + 6, top: c.y - h - 4 },
      { left: c.x + 6, top: c.y + 4 },
      { left: c.x - 6 - w, top: c.y - h - 4 },
      { left: c.x - 6 - w, top: c.y + 4 },
      { left: c.x + 6, top: c.y - 2 * h - 6 },
      { left: c.x - w / 2, top: c.y + h + 4 },
    ];
    for (const s of spots) {
      const box = { left: s.left, top: s.top, width: w, height: h };
      if (box.left < bounds.left || box.left + w > bounds.right || box.top < bounds.top || box.top + h > bounds.bottom) continue;
      // A little air between labels so two never read as one.
      const padded = { left: box.left - 4, top: box.top - 1, width: w + 8, height: h + 2 };
      if (placed.some((p) => overlaps(p, padded)) || avoid.some((a) => overlaps(a, box))) continue;
      placed.push({ key: c.key, text, left: box.left, top: box.top, width: w, height: h, anchorX: c.x, anchorY: c.y });
      break;
    }
  }
  return placed;
}

/** Priority order for kept points: the baseline, the final best, then the largest gains first. */
export function keptByImportance(kept: readonly KeptPoint[]): readonly KeptPoint[] {
  if (kept.length === 0) return [];
  const first = kept[0]!;
  const last = kept[kept.length - 1]!;
  const head = first.isBaseline && first !== last ? [first, last] : [last];
  const rest = kept.filter((k) => !head.includes(k)).sort((a, b) => (b.gain ?? 0) - (a.gain ?? 0) || a.x - b.x);
  return [...head, ...rest];
}
