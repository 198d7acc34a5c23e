// The progress chart as inline SVG, in the spirit of autoresearch's progress.png: every experiment by
// number, discards as faint grey dots, kept experiments as green dots labelled with their description,
// the running best as a step line, failures as red marks on the bottom edge (not dropped), points far off
// the scale as arrows on the edge, and the noise floor as a band around the baseline.
// No xmlns and no external reference: the SVG lives inside an HTML page that must work offline.
// Size stays bounded at any run length: discards are one path of dots (deduplicated per half pixel),
// and at most `maxLabels` kept points get a text label.
import { rankKeptForLabels, type Direction, type KeptPoint, type ProgressModel, type RunFigures } from '../../shared/progress.js';
import { escapeHtml } from './escape.js';
import { formatMetric } from './format.js';

export interface ChartInput {
  readonly chartTitle: string;
  readonly metricName: string;
  readonly direction: Direction;
  readonly progress: ProgressModel;
  readonly figures: RunFigures;
}

export interface ProgressSvgOptions {
  readonly width?: number;
  readonly height?: number;
  /** Kept points that get a text label (the baseline, the final best, then the largest gains). */
  readonly maxLabels?: number;
  /** Longest label, in characters, before it is cut with an ellipsis. */
  readonly maxLabelChars?: number;
}

const FONT_SIZE = 11;
/** Average advance of a character at FONT_SIZE in a sans-serif font; only used to avoid collisions. */
const CHAR_WIDTH = FONT_SIZE * 0.6;
const LABEL_ANGLE = 30;
/** How many lines a label may move away from its point to avoid another one. */
const MAX_SHIFTS = 8;
/** Kept points drawn as circles with a tooltip each; more than this become one path of dots. */
const MAX_KEPT_CIRCLES = 400;

const r1 = (v: number) => Math.round(v * 10) / 10;

/** Round steps: 1, 2, 2.5, 5 × 10^k, about `target` of them across [lo, hi]. */
export function niceTicks(lo: number, hi: number, target: number, integer = false): { ticks: number[]; decimals: number } {
  if (!(hi > lo)) return { ticks: [lo], decimals: 0 };
  const raw = (hi - lo) / Math.max(1, target);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const unit = raw / power;
  const nice = unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 2.5 ? 2.5 : unit <= 5 ? 5 : 10;
  let step = nice * power;
  if (integer) step = Math.max(1, Math.round(step));
  const decimals = integer ? 0 : Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (nice === 2.5 ? 1 : 0));
  const ticks: number[] = [];
  const first = Math.ceil(lo / step - 1e-9) * step;
  for (let v = first; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toFixed(decimals + 2)));
  return { ticks, decimals };
}

function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine.length <= max) return oneLine;
  return oneLine.slice(0, Math.max(1, max - 1)).trimEnd() + '…';
}

export function renderProgressSvg(model: ChartInput, options: ProgressSvgOptions = {}): string {
  const W = options.width ?? 1200;
  const H = options.height ?? 600;
  const maxLabels = options.maxLabels ?? 40;
  const maxLabelChars = options.maxLabelChars ?? 48;
  const p = model.progress;
  const m = { top: 44, right: 28, bottom: 52, left: 78 };
  const plotL = m.left;
  const plotR = W - m.right;
  const plotT = m.top;
  const plotB = H - m.bottom;

  let [x0, x1] = p.xDomain;
  if (x1 - x0 < 1) {
    x0 -= 1;
    x1 += 1;
  }
  // Extra room on the right and on the side the labels run to, so the last labels are not cut.
  const xSpan = x1 - x0;
  x0 -= xSpan * 0.02;
  x1 += xSpan * 0.05;
  let [y0, y1] = p.yDomain ?? [0, 1];
  const ySpan = y1 - y0;
  if (model.direction === 'min') y1 += ySpan * 0.06;
  else y0 -= ySpan * 0.06;
  const sx = (x: number) => plotL + ((x - x0) / (x1 - x0)) * (plotR - plotL);
  const sy = (y: number) => plotB - ((y - y0) / (y1 - y0)) * (plotB - plotT);

  const out: string[] = [];
  const title = escapeHtml(model.chartTitle);
  out.push(
    `<svg class="pc" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${title}" preserveAspectRatio="xMidYMid meet">`,
    `<title>${title}</title>`,
    `<style>${CHART_CSS}</style>`,
    `<rect class="pc-bg" x="0" y="0" width="${W}" height="${H}"/>`,
  );

  // Grid and ticks.
  const yt = niceTicks(y0, y1, 7);
  const xt = niceTicks(Math.max(0, Math.ceil(x0)), Math.floor(x1), 10, true);
  const grid: string[] = [];
  const tickText: string[] = [];
  for (const v of yt.ticks) {
    const y = r1(sy(v));
    if (y < plotT - 0.5 || y > plotB + 0.5) continue;
    grid.push(`M${plotL} ${y}H${plotR}`);
    tickText.push(`<text class="pc-tick" x="${plotL - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${v.toFixed(yt.decimals)}</text>`);
  }
  for (const v of xt.ticks) {
    const x = r1(sx(v));
    if (x < plotL - 0.5 || x > plotR + 0.5) continue;
    grid.push(`M${x} ${plotT}V${plotB}`);
    tickText.push(`<text class="pc-tick" x="${x}" y="${plotB + 18}" text-anchor="middle">${v}</text>`);
  }
  out.push(`<path class="pc-grid" d="${grid.join('')}"/>`);

  // Noise band behind everything else.
  if (p.noiseBand && p.yDomain) {
    const top = Math.max(plotT, sy(p.noiseBand.high));
    const bottom = Math.min(plotB, sy(p.noiseBand.low));
    if (bottom > top) {
      out.push(`<rect class="pc-band" x="${plotL}" y="${r1(top)}" width="${plotR - plotL}" height="${r1(Math.max(1, bottom - top))}"/>`);
    }
  }

  // Clip marks to the plot area so nothing spills over the axes.
  out.push(`<clipPath id="pc-clip"><rect x="${plotL}" y="${plotT - 6}" width="${plotR - plotL}" height="${plotB - plotT + 12}"/></clipPath>`);
  out.push('<g clip-path="url(#pc-clip)">');

  // Discards and other measured, not kept points: one path of round dots.
  if (p.yDomain) {
    const seen = new Set<number>();
    const dots: string[] = [];
    for (const pt of p.points) {
      if (pt.y === null || pt.status === 'keep' || pt.y < y0 || pt.y > y1) continue;
      const x = r1(sx(pt.x));
      const y = r1(sy(pt.y));
      const key = Math.round(x * 2) * 100_000 + Math.round(y * 2);
      if (seen.has(key)) continue;
      seen.add(key);
      dots.push(`M${x} ${y}h0`);
    }
    if (dots.length) out.push(`<path class="pc-discard" d="${dots.join('')}"/>`);
  }

  // Points beyond the y range: a small arrow on the edge they fall beyond.
  if (p.offChart.length) {
    const marks: string[] = [];
    for (const o of p.offChart) {
      const x = r1(sx(o.x));
      marks.push(o.side === 'above' ? `M${x - 4} ${plotT + 8}L${x} ${plotT + 1}L${x + 4} ${plotT + 8}Z` : `M${x - 4} ${plotB - 8}L${x} ${plotB - 1}L${x + 4} ${plotB - 8}Z`);
    }
    out.push(`<path class="pc-off" d="${marks.join('')}"><title>${p.offChart.length} measured point${p.offChart.length === 1 ? '' : 's'} beyond the scale</title></path>`);
  }

  // Failures: red crosses on the bottom edge, at their experiment number.
  if (p.failures.length) {
    const crosses: string[] = [];
    const yb = plotB - 6;
    for (const f of p.failures) {
      const x = r1(sx(f.x));
      crosses.push(`M${x - 3.5} ${yb - 3.5}l7 7m0 -7l-7 7`);
    }
    out.push(`<path class="pc-fail" d="${crosses.join('')}"/>`);
  }

  // The running best, step after each keep.
  if (p.bestSteps.length) {
    const first = p.bestSteps[0]!;
    let d = `M${r1(sx(first.x))} ${r1(sy(first.y))}`;
    for (let i = 1; i < p.bestSteps.length; i++) {
      const s = p.bestSteps[i]!;
      d += `H${r1(sx(s.x))}V${r1(sy(s.y))}`;
    }
    out.push(`<path class="pc-best" d="${d}"/>`);
  }

  // Kept points, each with a tooltip; past a few hundred, one path of dots keeps the file small.
  const keptInRange = p.kept.filter((k) => k.y >= y0 && k.y <= y1);
  if (keptInRange.length > MAX_KEPT_CIRCLES) {
    out.push(`<path class="pc-kept-dots" d="${keptInRange.map((k) => `M${r1(sx(k.x))} ${r1(sy(k.y))}h0`).join('')}"/>`);
  } else {
    for (const k of keptInRange) {
      const tip = `#${k.x} ${k.description} — ${model.metricName} ${formatMetric(k.y)}`;
      const noise = k.withinNoise ? ' — within the noise, may be luck' : '';
      out.push(`<circle class="pc-kept${k.withinNoise ? ' pc-kept-noise' : ''}" cx="${r1(sx(k.x))}" cy="${r1(sy(k.y))}" r="5"><title>${escapeHtml(tip + noise)}</title></circle>`);
    }
  }
  out.push('</g>');

  const legend = layoutLegend(model, { plotR, plotT, plotB });
  out.push(
    ...renderLabels(rankKeptForLabels(p.kept), maxLabels, {
      sx,
      sy,
      W,
      plotL,
      plotT,
      plotB,
      maxLabelChars,
      direction: model.direction,
      obstacles: [rectQuad(legend.x, legend.y, legend.width, legend.height)],
    }),
  );

  // Axes, ticks, titles.
  out.push(`<path class="pc-axis" d="M${plotL} ${plotT}V${plotB}H${plotR}"/>`);
  out.push(...tickText);
  out.push(`<text class="pc-title" x="${W / 2}" y="26" text-anchor="middle">${title}</text>`);
  out.push(`<text class="pc-axis-label" x="${(plotL + plotR) / 2}" y="${H - 12}" text-anchor="middle">Experiment #</text>`);
  const yLabel = `${model.metricName} (${model.direction === 'min' ? 'lower' : 'higher'} is better)`;
  out.push(`<text class="pc-axis-label" transform="translate(18 ${(plotT + plotB) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(yLabel)}</text>`);
  out.push(...renderLegend(legend));
  out.push('</svg>');
  return out.join('\n');
}

interface Point {
  readonly x: number;
  readonly y: number;
}
/** A rectangle, possibly rotated: its four corners in order. */
type Quad = readonly [Point, Point, Point, Point];

function rectQuad(x: number, y: number, w: number, h: number): Quad {
  return [
    { x, y },
    { x: x + w, y },
    { x: x + w, y: y + h },
    { x, y: y + h },
  ];
}

/** Separating-axis test for two convex quads: they overlap unless one of their edge normals separates them. */
export function quadsOverlap(a: Quad, b: Quad): boolean {
  for (const q of [a, b]) {
    for (let i = 0; i < 4; i++) {
      const p1 = q[i]!;
      const p2 = q[(i + 1) % 4]!;
      const nx = p2.y - p1.y;
      const ny = p1.x - p2.x;
      let aMin = Infinity;
      let aMax = -Infinity;
      let bMin = Infinity;
      let bMax = -Infinity;
      for (const p of a) {
        const v = p.x * nx + p.y * ny;
        aMin = Math.min(aMin, v);
        aMax = Math.max(aMax, v);
      }
      for (const p of b) {
        const v = p.x * nx + p.y * ny;
        bMin = Math.min(bMin, v);
        bMax = Math.max(bMax, v);
      }
      if (aMax <= bMin || bMax <= aMin) return false;
    }
  }
  return true;
}

/** The box a label's glyphs occupy: baseline at (ax, ay), rotated by `angle` degrees, 1 px of air around. */
function labelQuad(ax: number, ay: number, angle: number, len: number, anchorEnd: boolean): Quad {
  const rad = (angle * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  const x0 = anchorEnd ? -len - 1 : -1;
  const x1 = anchorEnd ? 1 : len + 1;
  // Glyphs reach about 0.8 em above the baseline and 0.25 em below it (descenders).
  const y0 = -FONT_SIZE * 0.8 - 1;
  const y1 = FONT_SIZE * 0.25 + 1;
  const at = (x: number, y: number): Point => ({ x: ax + x * cos - y * sin, y: ay + x * sin + y * cos });
  return [at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1)];
}

interface LabelGeometry {
  readonly sx: (x: number) => number;
  readonly sy: (y: number) => number;
  readonly W: number;
  readonly plotL: number;
  readonly plotT: number;
  readonly plotB: number;
  readonly maxLabelChars: number;
  readonly direction: Direction;
  /** Areas labels must not cover (the legend). */
  readonly obstacles: readonly Quad[];
}

/**
 * Labels run at 30° away from the step line (up-right when lower is better, down-right when higher is
 * better). A label that would overlap one already placed (or the legend) moves one line further out,
 * with a thin leader back to its point; one that still overlaps, or would leave the chart, is dropped
 * (its dot keeps the tooltip) and the next most deserving point gets the turn. Near the right edge a
 * label turns around and ends at its point.
 */
function renderLabels(ranked: readonly KeptPoint[], maxLabels: number, g: LabelGeometry): string[] {
  const out: string[] = [];
  let count = 0;
  const placed: Quad[] = [...g.obstacles];
  const up = g.direction === 'min';
  const lineStep = Math.ceil(FONT_SIZE * 1.05) + 3;
  const top = 34; // below the chart's title
  const inside = (q: Quad) => q.every((c) => c.x >= g.plotL + 2 && c.x <= g.W - 4 && c.y >= top && c.y <= g.plotB - 2);
  const cos = Math.cos((LABEL_ANGLE * Math.PI) / 180);
  // Most deserving first; a label that cannot be placed gives its turn to the next one.
  for (const k of ranked.slice(0, maxLabels * 6)) {
    if (count >= maxLabels) break;
    const px = g.sx(k.x);
    const py = g.sy(k.y);
    if (py < g.plotT - 1 || py > g.plotB + 1) continue;
    let text = truncate(k.description || `#${k.x}`, g.maxLabelChars);
    // Angle in SVG degrees (y down): negative turns the text upwards.
    let angle = up ? -LABEL_ANGLE : LABEL_ANGLE;
    let anchorEnd = false;
    const roomRight = (g.W - 6 - px - 8) / cos / CHAR_WIDTH;
    if (roomRight < Math.min(text.length, 16)) {
      anchorEnd = true;
      angle = -angle;
    } else if (roomRight < text.length) {
      text = truncate(text, Math.floor(roomRight));
    }
    const rad = (angle * Math.PI) / 180;
    const d = { x: Math.cos(rad), y: Math.sin(rad) };
    // "Up" of the text, rotated like the text.
    const n = { x: Math.sin(rad), y: -Math.cos(rad) };
    const len = text.length * CHAR_WIDTH;
    // Away from the line: upwards the glyphs start just above the point; downwards their tops do.
    const away = up ? 1 : -1;
    const along = anchorEnd ? -1 : 1;
    const lift = up ? 3 : -(FONT_SIZE * 0.8 + 3);
    let ax = px + d.x * 7 * along + n.x * lift;
    let ay = py + d.y * 7 * along + n.y * lift;
    let quad = labelQuad(ax, ay, angle, len, anchorEnd);
    let shifted = 0;
    const blocked = (q: Quad) => placed.some((o) => quadsOverlap(q, o));
    while (blocked(quad) && shifted < MAX_SHIFTS) {
      shifted += 1;
      ax += n.x * lineStep * away;
      ay += n.y * lineStep * away;
      quad = labelQuad(ax, ay, angle, len, anchorEnd);
    }
    // Better no label than an unreadable pile or one cut by the edge.
    if (blocked(quad) || !inside(quad)) continue;
    placed.push(quad);
    count += 1;
    if (shifted > 0) out.push(`<path class="pc-leader" d="M${r1(px)} ${r1(py)}L${r1(ax)} ${r1(ay)}"/>`);
    out.push(
      `<text class="pc-label" x="${r1(ax)}" y="${r1(ay)}"${anchorEnd ? ' text-anchor="end"' : ''} transform="rotate(${angle} ${r1(ax)} ${r1(ay)})">${escapeHtml(text)}</text>`,
    );
  }
  return out;
}

interface LegendLayout {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly items: readonly { readonly mark: string; readonly label: string }[];
}

const LEGEND_ROW = 18;

function layoutLegend(model: ChartInput, g: { plotR: number; plotT: number; plotB: number }): LegendLayout {
  const p = model.progress;
  const items: { mark: string; label: string }[] = [];
  const discarded = p.points.filter((pt) => pt.y !== null && pt.status !== 'keep').length;
  items.push({ mark: '<path class="pc-discard" d="M9 0h0"/>', label: `Discarded (${discarded})` });
  // "Kept" never counts the baseline; its green dot is named apart.
  const improvements = p.kept.filter((k) => !k.isBaseline).length;
  items.push({ mark: '<circle class="pc-kept" cx="9" cy="0" r="5"/>', label: `Kept (${improvements})${improvements < p.kept.length ? ' + baseline' : ''}` });
  const withinNoise = p.kept.filter((k) => k.withinNoise).length;
  if (withinNoise) items.push({ mark: '<circle class="pc-kept pc-kept-noise" cx="9" cy="0" r="5"/>', label: `Kept within noise (${withinNoise})` });
  items.push({ mark: '<path class="pc-best" d="M0 0H18"/>', label: 'Running best' });
  if (p.failures.length) {
    const c = model.figures.counts;
    const parts = [c.crash ? `${c.crash} crash${c.crash === 1 ? '' : 'es'}` : '', c.timeout ? `${c.timeout} timeout${c.timeout === 1 ? '' : 's'}` : '', c.rejected ? `${c.rejected} rejected` : ''].filter(Boolean);
    items.push({ mark: '<path class="pc-fail" d="M5.5 -3.5l7 7m0 -7l-7 7"/>', label: `Failed: ${parts.join(', ')}` });
  }
  if (p.offChart.length) items.push({ mark: '<path class="pc-off" d="M5 4L9 -3L13 4Z"/>', label: `Beyond the scale (${p.offChart.length})` });
  if (p.noiseBand) items.push({ mark: '<rect class="pc-band" x="0" y="-5" width="18" height="10"/>', label: `Noise floor (±${formatMetric(p.noiseBand.spread)})` });
  const width = 26 + Math.max(...items.map((i) => i.label.length)) * CHAR_WIDTH + 12;
  const height = items.length * LEGEND_ROW + 10;
  const x = g.plotR - width - 8;
  // Top right when lower is better (the dots fall to the bottom right), bottom right otherwise.
  const y = model.direction === 'min' ? g.plotT + 8 : g.plotB - height - 18;
  return { x, y, width, height, items };
}

function renderLegend(l: LegendLayout): string[] {
  const out = [`<g class="pc-legend" transform="translate(${r1(l.x)} ${r1(l.y)})">`, `<rect class="pc-legend-bg" x="0" y="0" width="${r1(l.width)}" height="${l.height}" rx="4"/>`];
  l.items.forEach((item, i) => {
    const cy = 14 + i * LEGEND_ROW;
    out.push(`<g transform="translate(10 ${cy})">${item.mark}</g>`, `<text x="36" y="${cy}" dominant-baseline="middle">${escapeHtml(item.label)}</text>`);
  });
  out.push('</g>');
  return out;
}

// Colours follow the reference chart (grey discards, green keeps); dark mode keeps the same meaning.
const CHART_CSS = [
  '.pc{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;max-width:100%;height:auto}',
  `.pc text{font-size:${FONT_SIZE}px;fill:#333}`,
  '.pc .pc-bg{fill:#fff}',
  '.pc .pc-title{font-size:16px;font-weight:600;fill:#111}',
  '.pc .pc-axis-label{font-size:13px;fill:#222}',
  '.pc .pc-tick{fill:#555}',
  '.pc .pc-grid{stroke:#ececec;stroke-width:1;fill:none}',
  '.pc .pc-axis{stroke:#444;stroke-width:1;fill:none}',
  '.pc .pc-discard{stroke:#a3a3a3;stroke-opacity:.45;stroke-width:5;stroke-linecap:round;fill:none}',
  '.pc .pc-kept{fill:#2ecc71;stroke:#1b6e3c;stroke-width:1}',
  '.pc .pc-kept-noise{fill:#fff;stroke:#1b9e4c;stroke-width:2}',
  '.pc .pc-kept-dots{stroke:#2ecc71;stroke-width:8;stroke-linecap:round;fill:none}',
  '.pc .pc-best{stroke:#2ecc71;stroke-opacity:.85;stroke-width:2.5;fill:none}',
  '.pc .pc-label{fill:#1e7d43}',
  '.pc .pc-leader{stroke:#1e7d43;stroke-opacity:.5;stroke-width:.75;fill:none}',
  '.pc .pc-fail{stroke:#d62f2f;stroke-width:1.8;fill:none}',
  '.pc .pc-off{fill:#8a8a8a}',
  '.pc .pc-band{fill:#3b82f6;fill-opacity:.12}',
  '.pc .pc-legend-bg{fill:#fff;fill-opacity:.9;stroke:#d4d4d4}',
  '@media (prefers-color-scheme:dark){',
  '.pc text{fill:#c9d1d9}',
  '.pc .pc-bg{fill:#0d1117}',
  '.pc .pc-title{fill:#e6edf3}',
  '.pc .pc-axis-label{fill:#c9d1d9}',
  '.pc .pc-tick{fill:#8b949e}',
  '.pc .pc-grid{stroke:#21262d}',
  '.pc .pc-axis{stroke:#6e7681}',
  '.pc .pc-discard{stroke:#8b949e;stroke-opacity:.35}',
  '.pc .pc-kept{fill:#2ecc71;stroke:#7ee2a8}',
  '.pc .pc-label{fill:#56d38a}',
  '.pc .pc-leader{stroke:#56d38a}',
  '.pc .pc-fail{stroke:#ff6b6b}',
  '.pc .pc-off{fill:#8b949e}',
  '.pc .pc-band{fill:#58a6ff;fill-opacity:.14}',
  '.pc .pc-legend-bg{fill:#161b22;fill-opacity:.92;stroke:#30363d}',
  '}',
].join('');
