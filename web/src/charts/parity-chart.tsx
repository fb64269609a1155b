/**
 * Parity over time: one line per compared pair (`staging vs production`), score on the y axis,
 * report time on the x axis. An SVG drawn by hand, labelled for screen readers with a summary.
 */
import type { ReactNode } from 'react';
import type { ParityPoint } from '../api/api-types.js';
import { formatScore, formatShortTime, formatSubject } from '../format.js';
import { scale, ticks } from './chart-scale.js';

const W = 1000;
const H = 200;
const M = { left: 52, right: 16, top: 12, bottom: 30 };

interface Series {
  readonly subject: string;
  readonly points: readonly { readonly t: number; readonly score: number; readonly at: string }[];
}

/** Groups the history by subject, oldest first, leaving out reports without a score. */
export function paritySeries(points: readonly ParityPoint[]): Series[] {
  const bySubject = new Map<string, { t: number; score: number; at: string }[]>();
  for (const p of points) {
    const t = Date.parse(p.createdAt);
    if (p.score === null || Number.isNaN(t)) continue;
    const list = bySubject.get(p.subject) ?? [];
    list.push({ t, score: p.score, at: p.createdAt });
    bySubject.set(p.subject, list);
  }
  return [...bySubject.entries()].map(([subject, list]) => ({
    subject,
    points: list.sort((a, b) => a.t - b.t),
  }));
}

/** One sentence for screen readers: each line's first and last score. */
export function paritySummary(series: readonly Series[]): string {
  const total = series.reduce((n, s) => n + s.points.length, 0);
  const lines = series.map((s) => {
    const first = s.points[0];
    const last = s.points[s.points.length - 1];
    if (first === undefined || last === undefined) return formatSubject(s.subject);
    return s.points.length === 1
      ? `${formatSubject(s.subject)} ${formatScore(last.score)}`
      : `${formatSubject(s.subject)} from ${formatScore(first.score)} to ${formatScore(last.score)}`;
  });
  return `Parity over time, ${total} report${total === 1 ? '' : 's'}: ${lines.join('; ')}.`;
}

export function ParityChart(props: { points: readonly ParityPoint[] }): ReactNode {
  const series = paritySeries(props.points);
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return null;
  const lowest = Math.min(...all.map((p) => p.score));
  const yMin = Math.max(0, Math.min(0.9, Math.floor(lowest * 10) / 10));
  const t0 = Math.min(...all.map((p) => p.t));
  const t1 = Math.max(...all.map((p) => p.t));
  const x = (t: number): number => scale(t, t0, t1, M.left + 8, W - M.right - 8);
  const y = (s: number): number => scale(s, yMin, 1, H - M.bottom, M.top);
  const first = all.find((p) => p.t === t0);
  const last = all.find((p) => p.t === t1);

  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        className="chart-svg"
        role="img"
        aria-label={paritySummary(series)}
      >
        {ticks(yMin, 1, 4).map((v) => (
          <g key={v} className="chart-grid">
            <line x1={M.left} x2={W - M.right} y1={y(v)} y2={y(v)} />
            <text x={M.left - 8} y={y(v)} dy="0.32em" textAnchor="end">
              {Math.round(v * 1000) / 10} %
            </text>
          </g>
        ))}
        {first === undefined ? null : (
          <text className="chart-axis-label" x={x(t0)} y={H - 8} textAnchor="start">
            {formatShortTime(first.at)}
          </text>
        )}
        {last === undefined || t1 === t0 ? null : (
          <text className="chart-axis-label" x={x(t1)} y={H - 8} textAnchor="end">
            {formatShortTime(last.at)}
          </text>
        )}
        {series.map((s, i) => (
          <g key={s.subject} className={`series series-${i % 6}`}>
            <polyline
              fill="none"
              points={s.points.map((p) => `${x(p.t)},${y(p.score)}`).join(' ')}
            />
            {s.points.map((p) => (
              <circle key={p.t} cx={x(p.t)} cy={y(p.score)} r={3.5}>
                <title>{`${formatSubject(s.subject)}: ${formatScore(p.score)}, ${formatShortTime(p.at)}`}</title>
              </circle>
            ))}
          </g>
        ))}
      </svg>
      <figcaption>
        <ul className="legend">
          {series.map((s, i) => (
            <li key={s.subject}>
              <span className={`swatch series-${i % 6}`} aria-hidden="true" />
              {formatSubject(s.subject)}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
