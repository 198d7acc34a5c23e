// An experiment's learning curves (the intermediate points its runs printed, config.earlyStop.pattern) against
// the curves of the best it was compared with: a run stopped early shows where it was cut off, and how far
// above (or below) the best's it was then. An SVG, so it scales with its box and needs no canvas.
import type { JSX } from 'react';
import type { Experiment } from '../../shared/experiment.js';
import { formatMetric } from '../components/format.js';
import { curveModel, curvePath } from './curve-model.js';
import './chart.css';

const W = 640;
const H = 200;
const PAD = { left: 64, right: 12, top: 10, bottom: 26 };

export function CurveChart(props: { readonly experiment: Experiment; readonly experiments: readonly Experiment[] }): JSX.Element | null {
  const m = curveModel(props.experiment, props.experiments);
  if (!m) return null;
  const w = W - PAD.left - PAD.right;
  const h = H - PAD.top - PAD.bottom;
  const unit = m.axis === 'step' ? 'step' : 's';
  const sx = (x: number) => PAD.left + ((x - m.x[0]) / (m.x[1] - m.x[0])) * w;
  return (
    <div className="panel curve-chart" data-testid="curve-chart">
      <h3>Learning curve{m.bestId !== null ? ` against the best (#${m.bestId})` : ''}</h3>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label="Learning curves">
        <rect x={PAD.left} y={PAD.top} width={w} height={h} className="curve-frame" />
        <g transform={`translate(${PAD.left} ${PAD.top})`}>
          {m.series.map((s) => (
            <path key={`${s.role}-${s.run}`} d={curvePath(s.points, m, w, h)} className={`curve-line ${s.role}`} data-testid={`curve-${s.role}`} data-points={s.points.length} />
          ))}
        </g>
        {m.stopAt !== null ? (
          <g data-testid="curve-stop">
            <line x1={sx(m.stopAt)} x2={sx(m.stopAt)} y1={PAD.top} y2={PAD.top + h} className="curve-stop" />
            <text x={sx(m.stopAt) + 4} y={PAD.top + 12} className="curve-text">
              stopped at {m.axis === 'step' ? `step ${Math.round(m.stopAt)}` : `${Math.round(m.stopAt)} s`}
            </text>
          </g>
        ) : null}
        <text x={PAD.left - 6} y={PAD.top + 10} textAnchor="end" className="curve-text">
          {formatMetric(m.y[1])}
        </text>
        <text x={PAD.left - 6} y={PAD.top + h} textAnchor="end" className="curve-text">
          {formatMetric(m.y[0])}
        </text>
        <text x={PAD.left} y={H - 8} className="curve-text">
          {m.axis === 'step' ? `step ${m.x[0]}` : `${m.x[0].toFixed(0)} s`}
        </text>
        <text x={W - PAD.right} y={H - 8} textAnchor="end" className="curve-text">
          {m.axis === 'step' ? `step ${m.x[1]}` : `${m.x[1].toFixed(0)} s`}
        </text>
      </svg>
      <div className="curve-legend small muted">
        <span>
          <span className="lg-swatch curve-self-swatch" /> #{props.experiment.id}
        </span>
        {m.bestId !== null ? (
          <span>
            <span className="lg-swatch curve-best-swatch" /> best #{m.bestId} ({m.series.filter((s) => s.role === 'best').length} runs)
          </span>
        ) : null}
        <span>x: {unit === 'step' ? 'training step' : 'seconds since the run started'}</span>
      </div>
    </div>
  );
}
