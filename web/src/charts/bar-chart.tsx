/**
 * Vertical bars, oldest on the left: used for how long each data sync took. Each bar carries a
 * tooltip; the chart's label says what it shows for screen readers.
 */
import type { ReactNode } from 'react';
import type { Tone } from '../format.js';
import { niceCeil, scale, ticks } from './chart-scale.js';

export interface Bar {
  readonly key: string | number;
  readonly value: number;
  readonly tone: Tone;
  /** The tooltip: what the bar is and its value, in words. */
  readonly title: string;
  /** Shown under the bar (a date), or empty. */
  readonly label: string;
}

const W = 1000;
const H = 200;
const M = { left: 56, right: 12, top: 12, bottom: 30 };

export function BarChart(props: {
  bars: readonly Bar[];
  summary: string;
  format: (value: number) => string;
}): ReactNode {
  const { bars } = props;
  if (bars.length === 0) return null;
  const max = niceCeil(Math.max(...bars.map((b) => b.value)));
  const slot = (W - M.left - M.right) / Math.max(bars.length, 8);
  const width = Math.max(4, Math.min(40, slot * 0.7));
  const y = (v: number): number => scale(v, 0, max, H - M.bottom, M.top);
  const labelEvery = Math.ceil(bars.length / 6);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} className="chart-svg" role="img" aria-label={props.summary}>
        {ticks(0, max, 4).map((v) => (
          <g key={v} className="chart-grid">
            <line x1={M.left} x2={W - M.right} y1={y(v)} y2={y(v)} />
            <text x={M.left - 8} y={y(v)} dy="0.32em" textAnchor="end">
              {props.format(v)}
            </text>
          </g>
        ))}
        {bars.map((b, i) => {
          const cx = M.left + slot * i + slot / 2;
          const top = y(b.value);
          return (
            <g key={b.key}>
              <rect
                className={`bar bar-${b.tone}`}
                x={cx - width / 2}
                y={top}
                width={width}
                height={Math.max(1, H - M.bottom - top)}
                rx={2}
              >
                <title>{b.title}</title>
              </rect>
              {i % labelEvery === 0 || i === bars.length - 1 ? (
                <text className="chart-axis-label" x={cx} y={H - 10} textAnchor="middle">
                  {b.label}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
