// Best-so-far curves of several runs on one chart, by experiment number or by hours since each run
// started. Hovering shows every run's best at that point.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type JSX } from 'react';
import { useTheme } from '../app/theme.js';
import { directionLabel, formatMetric } from '../components/format.js';
import { drawAxes, drawSteps, prepareCanvas, readColors, withAlpha, yAxisMargin } from './canvas.js';
import { DEFAULT_MARGIN, type ChartGeometry } from './geometry.js';
import { linearScale } from './scale.js';
import { valueAt, type CompareSeries } from './compare-model.js';
import './chart.css';

export const SERIES_COLORS = ['--accent', '--good', '--warn', '#a371f7', '#db61a2', '--bad'] as const;

function colorOf(i: number, el: Element): string {
  const c = SERIES_COLORS[i % SERIES_COLORS.length]!;
  return c.startsWith('--') ? getComputedStyle(el).getPropertyValue(c).trim() || '#888' : c;
}

export function CompareChart(props: {
  readonly series: readonly CompareSeries[];
  readonly metricName: string;
  readonly direction: 'min' | 'max';
  readonly xLabel: string;
  readonly height?: number;
}): JSX.Element {
  const { series } = props;
  const height = props.height ?? 360;
  const [width, setWidth] = useState(0);
  const ro = useRef<ResizeObserver | null>(null);
  const containerRef = useCallback((el: HTMLDivElement | null) => {
    ro.current?.disconnect();
    if (!el) return;
    setWidth(el.clientWidth);
    ro.current = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.current.observe(el);
  }, []);
  useEffect(() => () => ro.current?.disconnect(), []);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const theme = useTheme();
  const [hoverX, setHoverX] = useState<number | null>(null);

  const geom = useMemo((): ChartGeometry | null => {
    if (width <= 0) return null;
    let x1 = 1;
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of series) {
      x1 = Math.max(x1, s.lastX);
      for (const p of s.steps) {
        lo = Math.min(lo, p.y);
        hi = Math.max(hi, p.y);
      }
    }
    if (!Number.isFinite(lo)) {
      lo = 0;
      hi = 1;
    }
    const pad = Math.max((hi - lo) * 0.06, Math.abs(hi) * 1e-4, 1e-9);
    const m = { ...DEFAULT_MARGIN, left: yAxisMargin([lo - pad, hi + pad], height) };
    const plot = { left: m.left, top: m.top, right: Math.max(m.left + 1, width - m.right), bottom: Math.max(m.top + 1, height - m.bottom) };
    return {
      width,
      height,
      plot,
      x: linearScale([0, x1 * 1.01], [plot.left, plot.right]),
      y: linearScale([lo - pad, hi + pad], [plot.bottom, plot.top]),
      px: new Float64Array(0),
      py: new Float64Array(0),
      place: new Uint8Array(0),
      edgeY: plot.bottom,
    };
  }, [series, width, height]);

  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !geom) return;
    const ctx = prepareCanvas(canvas, geom.width, geom.height);
    if (!ctx) return;
    const colors = readColors(canvas);
    drawAxes(ctx, geom, colors, { x: props.xLabel, y: `best ${props.metricName} (${directionLabel(props.direction)})` });
    series.forEach((s, i) => {
      if (s.steps.length === 0) return;
      const steps = s.lastX > s.steps[s.steps.length - 1]!.x ? [...s.steps, { x: s.lastX, y: s.steps[s.steps.length - 1]!.y }] : s.steps;
      const color = colorOf(i, canvas);
      drawSteps(ctx, steps, geom, color, 2);
      ctx.fillStyle = color;
      for (const p of s.steps) {
        ctx.beginPath();
        ctx.arc(geom.x(p.x), geom.y(p.y), 3, 0, Math.PI * 2);
        ctx.fill();
      }
    });
    if (hoverX !== null) {
      const x = geom.x(hoverX);
      ctx.strokeStyle = withAlpha(colors.fg, 0.4);
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x, geom.plot.top);
      ctx.lineTo(x, geom.plot.bottom);
      ctx.stroke();
    }
  }, [geom, series, theme, hoverX, props.metricName, props.direction, props.xLabel]);

  return (
    <div className="progress-chart" data-testid="compare-chart" data-series={series.length}>
      <div className="chart-area" ref={containerRef} style={{ height }}>
        <canvas
          ref={canvasRef}
          className="chart-canvas"
          role="img"
          aria-label={`Best ${props.metricName} so far for ${series.map((s) => s.label).join(' and ')}`}
          onMouseMove={(e) => {
            if (!geom) return;
            const rect = e.currentTarget.getBoundingClientRect();
            const mx = e.clientX - rect.left;
            setHoverX(mx < geom.plot.left || mx > geom.plot.right ? null : geom.x.invert(mx));
          }}
          onMouseLeave={() => setHoverX(null)}
        />
        {hoverX !== null && geom ? (
          <div className="chart-tooltip" data-testid="compare-tooltip" style={{ left: Math.min(geom.x(hoverX) + 12, geom.width - 240), top: geom.plot.top + 8 }}>
            <div className="muted">
              {props.xLabel} {hoverX < 10 && !Number.isInteger(hoverX) ? hoverX.toFixed(2) : Math.round(hoverX)}
            </div>
            {series.map((s, i) => (
              <div className="row" key={s.label}>
                <span className="lg-swatch" style={{ background: canvasRef.current ? colorOf(i, canvasRef.current) : undefined }} />
                <span>{s.label}</span>
                <span className="grow" />
                <span className="mono">{formatMetric(valueAt(s, hoverX))}</span>
              </div>
            ))}
          </div>
        ) : null}
      </div>
    </div>
  );
}
