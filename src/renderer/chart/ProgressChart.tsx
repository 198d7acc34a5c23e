// The progress chart, the reference plot made interactive: every experiment by number, kept ones as green
// dots labelled with their description, discards faint, crashes and timeouts as marks on the bottom edge,
// the running best as a step line, the noise floor as a band. Hover names an experiment, a click opens it,
// dragging across zooms into a range of experiment numbers (double-click resets). Dots are drawn on a
// canvas so 10,000 of them stay smooth; the few labels and the tooltip are DOM.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type JSX } from 'react';
import type { ProgressModel, ProgressPoint } from '../../shared/progress.js';
import type { ExperimentStatus } from '../../shared/experiment.js';
import { useTheme } from '../app/theme.js';
import { directionLabel, formatMetric } from '../components/format.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { drawAxes, drawSteps, prepareCanvas, readColors, withAlpha, yAxisMargin, type ChartColors } from './canvas.js';
import { DEFAULT_MARGIN, chartYDomain, hitTest, layoutChart, visibleRange, zoomDomain, type ChartGeometry } from './geometry.js';
import { keptByImportance, placeLabels, type PlacedLabel } from './labels.js';
import './chart.css';
import { plural } from '../../shared/wording.js';

export interface ProgressChartProps {
  readonly model: ProgressModel;
  readonly metricName: string;
  readonly height?: number;
  /** At most this many kept experiments get a text label (the most important first). */
  readonly maxLabels?: number;
  readonly onOpen?: (id: number) => void;
  /** The experiment to ring (the one open in the detail view). */
  readonly highlightId?: number | null;
  readonly testId?: string;
}

// Every status that can come without a metric has its tick (typed so a new status cannot be left undrawn): a run
// stopped early is a discard, grey like one.
const FAILURE_COLOR: Record<Exclude<ExperimentStatus, 'keep' | 'discard'>, keyof ChartColors> = { crash: 'bad', timeout: 'warn', rejected: 'bad', interrupted: 'neutral', running: 'accent', 'stopped-early': 'neutral' };

function useElementWidth(): [(el: HTMLDivElement | null) => void, number] {
  const [width, setWidth] = useState(0);
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((el: HTMLDivElement | null) => {
    observer.current?.disconnect();
    if (!el) return;
    setWidth(el.clientWidth);
    observer.current = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? el.clientWidth);
      setWidth((prev) => (prev === w ? prev : w));
    });
    observer.current.observe(el);
  }, []);
  useEffect(() => () => observer.current?.disconnect(), []);
  return [ref, width];
}

function drawPoints(ctx: CanvasRenderingContext2D, model: ProgressModel, geom: ChartGeometry, colors: ChartColors): void {
  const [from, to] = visibleRange(geom);
  const { px, py, place } = geom;
  const dense = to - from > 2000;
  ctx.save();
  ctx.beginPath();
  ctx.rect(geom.plot.left, geom.plot.top, geom.plot.right - geom.plot.left, geom.plot.bottom - geom.plot.top);
  ctx.clip();

  // Discarded (and other measured, not kept): faint grey. Thousands of them are drawn as tiny squares
  // (fillRect is far cheaper to rasterise than a path of thousands of arcs, and looks the same at 3 px).
  ctx.fillStyle = withAlpha(colors.neutral, dense ? 0.35 : 0.45);
  if (dense) {
    for (let i = from; i < to; i++) {
      if (place[i] !== 0 || model.points[i]!.status === 'keep') continue;
      ctx.fillRect(px[i]! - 1.5, py[i]! - 1.5, 3, 3);
    }
  } else {
    const r = 2.6;
    ctx.beginPath();
    for (let i = from; i < to; i++) {
      if (place[i] !== 0 || model.points[i]!.status === 'keep') continue;
      ctx.moveTo(px[i]! + r, py[i]!);
      ctx.arc(px[i]!, py[i]!, r, 0, Math.PI * 2);
    }
    ctx.fill();
  }

  // Measured but beyond the y range: a small arrow on the edge, pointing where the value is.
  ctx.fillStyle = withAlpha(colors.neutral, 0.8);
  ctx.beginPath();
  for (let i = from; i < to; i++) {
    if (place[i] !== 1) continue;
    const up = py[i]! < (geom.plot.top + geom.plot.bottom) / 2;
    const x = px[i]!;
    const y = py[i]!;
    ctx.moveTo(x - 3, up ? y + 3 : y - 3);
    ctx.lineTo(x + 3, up ? y + 3 : y - 3);
    ctx.lineTo(x, up ? y - 2 : y + 2);
    ctx.closePath();
  }
  ctx.fill();

  // No metric: a tick on the bottom edge, coloured by why (crash red, timeout amber, running blue, stopped early grey).
  ctx.lineWidth = dense ? 1 : 1.5;
  for (const status of Object.keys(FAILURE_COLOR)) {
    ctx.strokeStyle = colors[FAILURE_COLOR[status as keyof typeof FAILURE_COLOR]];
    ctx.beginPath();
    for (let i = from; i < to; i++) {
      if (place[i] !== 2 || model.points[i]!.status !== status) continue;
      ctx.moveTo(px[i]!, geom.edgeY - 6);
      ctx.lineTo(px[i]!, geom.edgeY + 2);
    }
    ctx.stroke();
  }
  ctx.restore();
}

function drawKept(ctx: CanvasRenderingContext2D, model: ProgressModel, geom: ChartGeometry, colors: ChartColors): void {
  ctx.save();
  ctx.fillStyle = colors.good;
  ctx.strokeStyle = withAlpha(colors.bg, 0.9);
  ctx.lineWidth = 1;
  const r = model.kept.length > 300 ? 3 : 4.5;
  const [from, to] = visibleRange(geom);
  const firstX = model.points[from]?.x ?? -Infinity;
  const lastX = model.points[to - 1]?.x ?? Infinity;
  for (const k of model.kept) {
    if (k.x < firstX || k.x > lastX) continue;
    const x = geom.x(k.x);
    const y = Math.min(Math.max(geom.y(k.y), geom.plot.top + 3), geom.plot.bottom - 12);
    ctx.beginPath();
    ctx.arc(x, y, r, 0, Math.PI * 2);
    if (k.withinNoise) {
      // A keep within the noise is drawn hollow: it may be luck.
      ctx.save();
      ctx.fillStyle = colors.bg;
      ctx.strokeStyle = colors.good;
      ctx.lineWidth = 2;
      ctx.fill();
      ctx.stroke();
      ctx.restore();
    } else {
      ctx.fill();
      ctx.stroke();
    }
  }
  ctx.restore();
}

function drawBand(ctx: CanvasRenderingContext2D, model: ProgressModel, geom: ChartGeometry, colors: ChartColors): void {
  const band = model.noiseBand;
  if (!band) return;
  const top = Math.max(geom.plot.top, Math.min(geom.y(band.high), geom.y(band.low)));
  const bottom = Math.min(geom.plot.bottom, Math.max(geom.y(band.high), geom.y(band.low)));
  if (bottom <= top) return;
  ctx.save();
  ctx.fillStyle = withAlpha(colors.accent, 0.1);
  ctx.fillRect(geom.plot.left, top, geom.plot.right - geom.plot.left, Math.max(1, bottom - top));
  ctx.restore();
}

interface Hover {
  readonly index: number;
  readonly x: number;
  readonly y: number;
}

export function ProgressChart(props: ProgressChartProps): JSX.Element {
  const { model, metricName, onOpen } = props;
  const height = props.height ?? 360;
  const maxLabels = props.maxLabels ?? 24;
  const [containerRef, width] = useElementWidth();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const theme = useTheme();
  const [zoom, setZoom] = useState<readonly [number, number] | null>(null);
  const [hover, setHover] = useState<Hover | null>(null);
  const drag = useRef<{ startX: number; currentX: number; moved: boolean } | null>(null);
  const [labels, setLabels] = useState<readonly PlacedLabel[]>([]);

  const geom = useMemo(() => {
    if (width <= 0) return null;
    const yDomain = chartYDomain(model);
    const margin = { ...DEFAULT_MARGIN, left: yDomain ? yAxisMargin(yDomain, height) : DEFAULT_MARGIN.left };
    return layoutChart(model, width, height, zoom ? { xDomain: zoom, yDomain, margin } : { yDomain, margin });
  }, [model, width, height, zoom]);

  // The dots are drawn in the next animation frame, not in React's commit: with 10,000 experiments the
  // table and the page appear first and the drawing is a task of its own.
  useEffect(() => {
    const frame = requestAnimationFrame(() => draw());
    return () => cancelAnimationFrame(frame);
    function draw() {
    const canvas = canvasRef.current;
    if (!canvas || !geom) return;
    const ctx = prepareCanvas(canvas, geom.width, geom.height);
    if (!ctx) return;
    const colors = readColors(canvas);
    drawAxes(ctx, geom, colors, { x: 'Experiment #', y: `${metricName} (${directionLabel(model.direction)})` });
    if (!model.yDomain) return;
    drawBand(ctx, model, geom, colors);
    drawPoints(ctx, model, geom, colors);
    drawSteps(ctx, model.bestSteps, geom, withAlpha(colors.good, 0.85), 2);
    drawKept(ctx, model, geom, colors);
    // Labels: measured in the canvas font, placed without overlap, rendered as DOM for crisp text.
    ctx.font = `11px ${colors.fontUi}`;
    const [from, to] = visibleRange(geom);
    const lo = model.points[from]?.x ?? -Infinity;
    const hi = model.points[to - 1]?.x ?? Infinity;
    const candidates = keptByImportance(model.kept.filter((k) => k.x >= lo && k.x <= hi)).map((k) => ({
      key: k.x,
      x: geom.x(k.x),
      y: Math.min(Math.max(geom.y(k.y), geom.plot.top + 3), geom.plot.bottom - 12),
      text: k.description || `#${k.x}`,
    }));
    const legendBox = { left: geom.plot.right - 330, top: geom.plot.top, width: 330, height: 22 };
    setLabels(
      placeLabels(candidates, (t) => ctx.measureText(t).width, { ...geom.plot, top: geom.plot.top + 2, bottom: geom.plot.bottom - 14 }, {
        maxLabels,
        lineHeight: 14,
        maxChars: 48,
        avoid: [legendBox],
      }),
    );
    }
  }, [geom, model, metricName, theme, maxLabels]);

  // Hover ring, highlight and drag selection live on an overlay so the dots are not redrawn on every move.
  useLayoutEffect(() => {
    const overlay = overlayRef.current;
    if (!overlay || !geom) return;
    const ctx = prepareCanvas(overlay, geom.width, geom.height);
    if (!ctx) return;
    const colors = readColors(overlay);
    const ring = (i: number, color: string) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(geom.px[i]!, geom.py[i]!, 7, 0, Math.PI * 2);
      ctx.stroke();
    };
    if (props.highlightId !== undefined && props.highlightId !== null) {
      const i = model.points.findIndex((p) => p.x === props.highlightId);
      if (i >= 0) ring(i, colors.accent);
    }
    if (hover) ring(hover.index, colors.fg);
    const d = drag.current;
    if (d && d.moved) {
      ctx.fillStyle = withAlpha(colors.accent, 0.15);
      const x0 = Math.min(d.startX, d.currentX);
      ctx.fillRect(x0, geom.plot.top, Math.abs(d.currentX - d.startX), geom.plot.bottom - geom.plot.top);
    }
  });

  const pointAt = (e: React.MouseEvent): { mx: number; my: number } => {
    const rect = (e.currentTarget as HTMLElement).getBoundingClientRect();
    return { mx: e.clientX - rect.left, my: e.clientY - rect.top };
  };

  const onMouseMove = (e: React.MouseEvent) => {
    if (!geom) return;
    const { mx, my } = pointAt(e);
    if (drag.current) {
      drag.current.currentX = mx;
      if (Math.abs(mx - drag.current.startX) > 5) drag.current.moved = true;
    }
    const index = hitTest(geom, model, mx, my, 7);
    setHover(index === null ? null : { index, x: mx, y: my });
  };

  const onMouseDown = (e: React.MouseEvent) => {
    if (e.button !== 0) return;
    const { mx } = pointAt(e);
    drag.current = { startX: mx, currentX: mx, moved: false };
  };

  const onMouseUp = (e: React.MouseEvent) => {
    const d = drag.current;
    drag.current = null;
    if (!geom || !d) return;
    if (d.moved) {
      const a = geom.x.invert(Math.min(d.startX, d.currentX));
      const b = geom.x.invert(Math.max(d.startX, d.currentX));
      if (b - a >= 2) setZoom([Math.max(model.xDomain[0], a), Math.min(model.xDomain[1], b)]);
      setHover(null);
      return;
    }
    const { mx, my } = pointAt(e);
    const index = hitTest(geom, model, mx, my, 7);
    if (index !== null) onOpen?.(model.points[index]!.x);
  };

  const onWheel = (e: React.WheelEvent) => {
    // Only with Ctrl/Cmd held: a plain wheel scrolls the page, as everywhere else.
    if (!geom || !(e.ctrlKey || e.metaKey)) return;
    const { mx } = pointAt(e);
    const current = zoom ?? model.xDomain;
    setZoom(zoomDomain(current, model.xDomain, geom.x.invert(mx), e.deltaY > 0 ? 1.25 : 0.8));
  };

  const hovered: ProgressPoint | null = hover ? (model.points[hover.index] ?? null) : null;
  const counts = useMemo(() => {
    let discards = 0;
    for (const p of model.points) if (p.status === 'discard') discards += 1;
    return { discards, improvements: model.kept.filter((k) => !k.isBaseline).length, withinNoise: model.kept.filter((k) => k.withinNoise).length };
  }, [model]);

  return (
    <div className="progress-chart" data-testid={props.testId ?? 'progress-chart'} data-points={model.points.length} data-kept={model.kept.length} data-failures={model.failures.length} data-labels={labels.length} data-zoomed={zoom ? 'true' : 'false'}>
      <div className="chart-area" ref={containerRef} style={{ height }}>
        {model.points.length === 0 ? <div className="chart-empty">No experiments yet: the chart fills in as they finish.</div> : null}
        <canvas ref={canvasRef} className="chart-canvas" aria-label={`Progress chart of ${metricName}: ${plural(model.points.length, 'experiment')}, baseline included; ${counts.improvements} kept`} role="img" />
        <canvas
          ref={overlayRef}
          className="chart-overlay"
          data-testid="chart-canvas"
          style={{ cursor: hovered ? 'pointer' : 'crosshair' }}
          onMouseMove={onMouseMove}
          onMouseDown={onMouseDown}
          onMouseUp={onMouseUp}
          onMouseLeave={() => {
            drag.current = null;
            setHover(null);
          }}
          onDoubleClick={() => setZoom(null)}
          onWheel={onWheel}
        />
        {labels.map((l) => (
          <button
            type="button"
            key={l.key}
            className="chart-label"
            data-testid="chart-label"
            data-id={l.key}
            data-anchor-x={Math.round(l.anchorX)}
            data-anchor-y={Math.round(l.anchorY)}
            style={{ left: l.left, top: l.top, height: l.height }}
            title={`#${l.key}`}
            onClick={() => onOpen?.(l.key)}
          >
            {l.text}
          </button>
        ))}
        {geom && model.points.length > 0 ? (
          <div className="chart-legend" style={{ right: geom.width - geom.plot.right + 6, top: geom.plot.top + 4 }}>
            <span>
              <i className="lg-dot discard" /> Discarded ({counts.discards})
            </span>
            <span>
              <i className="lg-dot keep" /> Kept ({counts.improvements}){counts.improvements < model.kept.length ? ' + baseline' : ''}
            </span>
            {counts.withinNoise ? (
              <span title="Kept, but the gain was under 2 standard errors of the noise when it was decided: it may be luck" data-testid="legend-within-noise">
                <i className="lg-dot keep hollow" /> Within noise ({counts.withinNoise})
              </span>
            ) : null}
            <span>
              <i className="lg-line" /> Running best
            </span>
            {model.failures.length ? (
              <span>
                <i className="lg-tick" /> Failed ({model.failures.length})
              </span>
            ) : null}
            {model.noiseBand ? (
              <span title={`Baseline ± ${formatMetric(model.noiseBand.spread)} (the spread of repeated baseline runs)`}>
                <i className="lg-band" /> Noise
              </span>
            ) : null}
          </div>
        ) : null}
        {hovered && hover && geom ? (
          <div
            className="chart-tooltip"
            data-testid="chart-tooltip"
            data-id={hovered.x}
            style={{ left: Math.min(hover.x + 14, geom.width - 260), top: Math.max(4, hover.y - 56) }}
          >
            <div className="row">
              <b>#{hovered.x}</b> <StatusBadge status={hovered.status} /> <span className="mono">{formatMetric(hovered.y)}</span>
            </div>
            <div className="desc">{hovered.description || (hovered.isBaseline ? 'baseline' : '(no description)')}</div>
          </div>
        ) : null}
      </div>
      {zoom ? (
        <div className="chart-zoom muted">
          Showing experiments {Math.ceil(zoom[0])}–{Math.floor(zoom[1])}.{' '}
          <button type="button" className="link" onClick={() => setZoom(null)} data-testid="chart-reset-zoom">
            Show all
          </button>
        </div>
      ) : null}
    </div>
  );
}
