/**
 * Latency per route: for each route a production bar (the recorded answers) and a staging bar
 * (the replayed ones), each layered p99 (light) ⊃ p95 ⊃ p50 (dark) on one millisecond scale.
 * A table with the same numbers follows for those who prefer to read them.
 */
import type { ReactNode } from 'react';
import type { Percentiles, RouteSummary } from '../api/api-types.js';
import { formatMs } from '../format.js';
import { niceCeil, scale, ticks } from './chart-scale.js';

const W = 1000;
const LABEL = 260;
const BAR = 11;
const BLOCK = 2 * BAR + 16;
const TOP = 6;
const AXIS = 26;
const RIGHT = 32;
const MAX_ROUTES = 12;

type Side = 'production' | 'staging';

function sides(route: RouteSummary): { side: Side; p: Percentiles }[] {
  const out: { side: Side; p: Percentiles }[] = [];
  if (route.latency.recorded !== undefined)
    out.push({ side: 'production', p: route.latency.recorded });
  if (route.latency.target !== undefined) out.push({ side: 'staging', p: route.latency.target });
  return out;
}

/** The routes worth drawing: those with any latency, slowest p99 first, at most twelve. */
export function chartedRoutes(routes: readonly RouteSummary[]): RouteSummary[] {
  const worst = (r: RouteSummary): number => Math.max(0, ...sides(r).map((s) => s.p.p99));
  return routes
    .filter((r) => sides(r).length > 0)
    .sort((a, b) => worst(b) - worst(a))
    .slice(0, MAX_ROUTES);
}

/** One sentence: how many routes, and the one whose staging p95 grew the most. */
export function latencySummary(routes: readonly RouteSummary[]): string {
  const both = routes.filter(
    (r) => r.latency.recorded !== undefined && r.latency.target !== undefined,
  );
  const head = `Latency percentiles of ${routes.length} route${routes.length === 1 ? '' : 's'}, production against staging`;
  const worst = [...both].sort(
    (a, b) => (b.latency.p95ChangePercent ?? 0) - (a.latency.p95ChangePercent ?? 0),
  )[0];
  if (worst === undefined) return `${head}.`;
  const r = worst.latency.recorded;
  const t = worst.latency.target;
  return `${head}. Largest p95 change: ${worst.route}, ${formatMs(r?.p95)} in production, ${formatMs(t?.p95)} in staging.`;
}

const truncate = (text: string, n: number): string =>
  text.length > n ? `${text.slice(0, n - 1)}…` : text;

export function LatencyChart(props: { routes: readonly RouteSummary[] }): ReactNode {
  const routes = chartedRoutes(props.routes);
  if (routes.length === 0) return null;
  const max = niceCeil(Math.max(...routes.flatMap((r) => sides(r).map((s) => s.p.p99))));
  const H = TOP + routes.length * BLOCK + AXIS;
  const x = (ms: number): number => scale(ms, 0, max, LABEL, W - RIGHT);
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        className="chart-svg"
        role="img"
        aria-label={latencySummary(routes)}
      >
        {ticks(0, max, 4).map((v) => (
          <g key={v} className="chart-grid">
            <line x1={x(v)} x2={x(v)} y1={TOP} y2={H - AXIS} />
            <text x={x(v)} y={H - 8} textAnchor="middle">
              {formatMs(v)}
            </text>
          </g>
        ))}
        {routes.map((route, i) => {
          const top = TOP + i * BLOCK + 4;
          return (
            <g key={route.route}>
              <text
                className="chart-row-label"
                x={LABEL - 10}
                y={top + BAR}
                dy="0.32em"
                textAnchor="end"
              >
                <title>{route.route}</title>
                {truncate(route.route, 34)}
              </text>
              {sides(route).map(({ side, p }) => {
                const y = side === 'production' ? top : top + BAR + 1;
                return (
                  <g key={side} className={`latency latency-${side}`}>
                    <title>{`${route.route}, ${side}: p50 ${formatMs(p.p50)}, p95 ${formatMs(p.p95)}, p99 ${formatMs(p.p99)} (${p.count} requests)`}</title>
                    <rect
                      className="p99"
                      x={LABEL}
                      y={y}
                      height={BAR}
                      width={Math.max(1, x(p.p99) - LABEL)}
                    />
                    <rect
                      className="p95"
                      x={LABEL}
                      y={y}
                      height={BAR}
                      width={Math.max(1, x(p.p95) - LABEL)}
                    />
                    <rect
                      className="p50"
                      x={LABEL}
                      y={y}
                      height={BAR}
                      width={Math.max(1, x(p.p50) - LABEL)}
                    />
                  </g>
                );
              })}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul className="legend">
          <li>
            <span className="swatch latency-production" aria-hidden="true" />
            production (recorded)
          </li>
          <li>
            <span className="swatch latency-staging" aria-hidden="true" />
            staging (replayed)
          </li>
          <li className="muted">dark to light: p50, p95, p99</li>
        </ul>
      </figcaption>
      <details className="chart-table">
        <summary>Latency as a table</summary>
        <table className="table compact">
          <thead>
            <tr>
              <th scope="col">Route</th>
              <th scope="col">Side</th>
              <th scope="col" className="num">
                p50
              </th>
              <th scope="col" className="num">
                p95
              </th>
              <th scope="col" className="num">
                p99
              </th>
              <th scope="col" className="num">
                Requests
              </th>
            </tr>
          </thead>
          <tbody>
            {props.routes.flatMap((route) =>
              sides(route).map(({ side, p }) => (
                <tr key={`${route.route}-${side}`}>
                  <td>{route.route}</td>
                  <td>{side}</td>
                  <td className="num">{formatMs(p.p50)}</td>
                  <td className="num">{formatMs(p.p95)}</td>
                  <td className="num">{formatMs(p.p99)}</td>
                  <td className="num">{p.count}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
