/**
 * The replay report as JUnit: one test case per route. A route with regressions fails (each
 * differing path and an example in the detail); a route whose every sent request failed is an
 * error; a route of only skipped requests is skipped; a route flagged slower fails only when
 * latency is set to fail. Suppressed noise is in the case's output.
 */
import type { RouteSummary } from '../../traffic/replay-account.js';
import type { ReplayReport } from '../../traffic/replay-report.js';
import { renderJunit, type JunitCase } from './junit.js';

/** Renders the replay report as JUnit XML. */
export function renderReplayJunit(report: ReplayReport): string {
  const cases = report.routes.map((route) => routeCase(report, route));
  const name = `understudy replay ${report.capture} against ${report.target.name}`;
  return renderJunit(name, [{ name: 'replay', cases }], report.finishedAt);
}

function routeCase(report: ReplayReport, route: RouteSummary): JunitCase {
  const classname = 'replay';
  const name = route.route;
  const k = route.counts;
  const noise = report.noise.filter((g) => g.route === route.route);
  const summary = `${k.total} requests: ${k.match} match, ${k.regression} regression, ${k.noise} noise, ${k.skipped} skipped, ${k.error} error`;
  const output = [
    summary,
    ...noise.map(
      (g) =>
        `noise: ${g.path} ${g.reason}${g.rule === undefined ? '' : ` (${g.rule})`} ×${g.count}`,
    ),
    ...latencyLine(route),
  ].join('\n');
  if (k.regression > 0) {
    const groups = report.regressions.filter((g) => g.route === route.route);
    const text = groups
      .map((g) => {
        const example = g.examples[0];
        const shown =
          example === undefined
            ? ''
            : `\n  e.g. ${example.method} ${example.url} ${example.path}: ${example.recorded} → ${example.actual}`;
        return `${g.path} ${g.kind} ×${g.count} in ${g.requests} request(s)${shown}`;
      })
      .join('\n');
    return {
      classname,
      name,
      failure: {
        message: `${k.regression} of ${k.total} requests regressed: ${groups.map((g) => g.path).join(', ')}`,
        type: 'regression',
        text,
      },
      output,
    };
  }
  if (route.latency.slower && report.latency.fail)
    return {
      classname,
      name,
      failure: {
        message: 'slower than allowed',
        type: 'latency',
        text: latencyLine(route).join(''),
      },
      output,
    };
  if (k.error > 0 && k.error === k.total - k.skipped)
    return { classname, name, error: { message: `no answer to ${k.error} request(s)` }, output };
  if (k.skipped === k.total)
    return { classname, name, skipped: { message: `all ${k.total} request(s) skipped` }, output };
  return { classname, name, output };
}

function latencyLine(route: RouteSummary): string[] {
  const { recorded, target, p95ChangePercent, slower } = route.latency;
  if (recorded === undefined || target === undefined) return [];
  const change = p95ChangePercent === undefined ? '' : ` (${p95ChangePercent}%)`;
  return [
    `latency p95: ${recorded.p95} ms recorded, ${target.p95} ms target${change}${slower ? ', slower' : ''}`,
  ];
}
