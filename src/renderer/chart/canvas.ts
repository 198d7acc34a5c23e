// Canvas plumbing shared by the charts: crisp drawing at the device pixel ratio, theme colours read from
// the CSS variables (so dark and light themes need no code), and the axes.
import { DEFAULT_MARGIN, type ChartGeometry } from './geometry.js';
import { integerTicks, niceTicks, tickFormatter } from './scale.js';

export interface ChartColors {
  readonly fg: string;
  readonly muted: string;
  readonly faint: string;
  readonly border: string;
  readonly good: string;
  readonly bad: string;
  readonly warn: string;
  readonly neutral: string;
  readonly accent: string;
  readonly bg: string;
  readonly fontUi: string;
}

let cached: { readonly key: string; readonly colors: ChartColors } | null = null;

/** The theme's colours; read from the CSS once per theme (getComputedStyle forces a style pass). */
export function readColors(el: Element): ChartColors {
  const root = document.documentElement;
  const key = `${root.dataset.theme ?? ''}|${window.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark'}`;
  if (cached?.key === key) return cached.colors;
  const colors = readColorsNow(el);
  cached = { key, colors };
  return colors;
}

function readColorsNow(el: Element): ChartColors {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    fg: v('--fg', '#d4d4d4'),
    muted: v('--fg-muted', '#a0a0a0'),
    faint: v('--fg-faint', '#6e6e6e'),
    border: v('--border', '#333336'),
    good: v('--good', '#3fb950'),
    bad: v('--bad', '#f85149'),
    warn: v('--warn', '#d29922'),
    neutral: v('--neutral', '#8b949e'),
    accent: v('--accent', '#3794ff'),
    bg: v('--bg', '#1e1e1e'),
    fontUi: v('--font-ui', 'sans-serif'),
  };
}

/** Size the canvas backing store for the device pixel ratio and return a context in CSS pixels. */
export function prepareCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
  const dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}

export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!hex) return color;
  let h = hex[1]!;
  if (h.length === 3) h = h.replace(/./g, (c) => c + c);
  const n = parseInt(h, 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** Grid, tick labels and axis titles around geom.plot. */
export function drawAxes(ctx: CanvasRenderingContext2D, geom: ChartGeometry, colors: ChartColors, titles: { readonly x: string; readonly y: string }): void {
  const { plot } = geom;
  ctx.save();
  ctx.font = `11px ${colors.fontUi}`;
  ctx.lineWidth = 1;
  const [y0, y1] = geom.y.domain;
  const yTicks = niceTicks(Math.min(y0, y1), Math.max(y0, y1), Math.max(2, Math.floor((plot.bottom - plot.top) / 48)));
  const fmt = tickFormatter(yTicks);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of yTicks) {
    const y = Math.round(geom.y(t)) + 0.5;
    if (y < plot.top - 1 || y > plot.bottom + 1) continue;
    ctx.strokeStyle = withAlpha(colors.border, 0.7);
    ctx.beginPath();
    ctx.moveTo(plot.left, y);
    ctx.lineTo(plot.right, y);
    ctx.stroke();
    ctx.fillStyle = colors.muted;
    ctx.fillText(fmt(t), plot.left - 6, y);
  }
  const [x0, x1] = geom.x.domain;
  const xTicks = integerTicks(Math.max(0, Math.ceil(x0)), Math.floor(x1), Math.max(2, Math.floor((plot.right - plot.left) / 90)));
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of xTicks) {
    const x = Math.round(geom.x(t)) + 0.5;
    if (x < plot.left - 1 || x > plot.right + 1) continue;
    ctx.strokeStyle = withAlpha(colors.border, 0.5);
    ctx.beginPath();
    ctx.moveTo(x, plot.top);
    ctx.lineTo(x, plot.bottom);
    ctx.stroke();
    ctx.fillStyle = colors.muted;
    ctx.fillText(String(t), x, plot.bottom + 5);
  }
  ctx.strokeStyle = colors.border;
  ctx.strokeRect(plot.left + 0.5, plot.top + 0.5, plot.right - plot.left - 1, plot.bottom - plot.top - 1);
  ctx.fillStyle = colors.muted;
  ctx.font = `12px ${colors.fontUi}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(titles.x, (plot.left + plot.right) / 2, geom.height - 4);
  ctx.translate(12, (plot.top + plot.bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText(titles.y, 0, 0);
  ctx.restore();
}

/** The running best drawn "step after": flat until the next change, then straight down (or up). */
export function drawSteps(ctx: CanvasRenderingContext2D, steps: readonly { x: number; y: number }[], geom: ChartGeometry, color: string, width = 2): void {
  if (steps.length === 0) return;
  ctx.save();
  ctx.beginPath();
  ctx.rect(geom.plot.left, geom.plot.top, geom.plot.right - geom.plot.left, geom.plot.bottom - geom.plot.top);
  ctx.clip();
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.lineJoin = 'round';
  ctx.beginPath();
  let prevY = geom.y(steps[0]!.y);
  ctx.moveTo(geom.x(steps[0]!.x), prevY);
  for (let i = 1; i < steps.length; i++) {
    const x = geom.x(steps[i]!.x);
    const y = geom.y(steps[i]!.y);
    ctx.lineTo(x, prevY);
    ctx.lineTo(x, y);
    prevY = y;
  }
  ctx.stroke();
  ctx.restore();
}

let measureCtx: CanvasRenderingContext2D | null = null;

/** Left margin with room for the widest y tick label and the rotated axis title (1.311794 needs more than 0.98). */
export function yAxisMargin(yDomain: readonly [number, number], height: number): number {
  const plotHeight = height - DEFAULT_MARGIN.top - DEFAULT_MARGIN.bottom;
  const ticks = niceTicks(Math.min(yDomain[0], yDomain[1]), Math.max(yDomain[0], yDomain[1]), Math.max(2, Math.floor(plotHeight / 48)));
  const fmt = tickFormatter(ticks);
  measureCtx ??= document.createElement('canvas').getContext('2d');
  if (!measureCtx) return DEFAULT_MARGIN.left;
  measureCtx.font = '11px sans-serif';
  let widest = 0;
  for (const t of ticks) widest = Math.max(widest, measureCtx.measureText(fmt(t)).width);
  return Math.max(DEFAULT_MARGIN.left, Math.ceil(widest) + 34);
}
