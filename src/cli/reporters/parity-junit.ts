/** The parity report as JUnit suites: a suite per probe, a failing case per blocking difference. */
import { isAtLeast } from '../../parity/allowances.js';
import type { ParityReport } from '../../parity/parity-report.js';
import { renderJunit, type JunitCase, type JunitSuite } from './junit.js';
import { showSides } from './parity-values.js';

/** Renders the parity report as JUnit XML. */
export function renderParityJunit(report: ParityReport): string {
  const suites = report.probes.map((probe): JunitSuite => {
    const classname = `parity.${probe.probe}`;
    if (probe.status === 'skipped')
      return {
        name: classname,
        cases: [{ classname, name: probe.probe, skipped: { message: probe.reason ?? 'skipped' } }],
      };
    if (probe.status === 'failed')
      return {
        name: classname,
        cases: [{ classname, name: probe.probe, error: { message: probe.reason ?? 'failed' } }],
      };
    const cases = report.differences
      .filter((d) => d.probe === probe.probe)
      .map((d): JunitCase => {
        const sides = showSides(d);
        const text = `${d.kind}: ${report.env}: ${sides.env}; ${report.against}: ${sides.against}${d.note === undefined ? '' : `\n${d.note}`}`;
        if (d.verdict === 'allowed')
          return {
            classname,
            name: d.path,
            skipped: { message: `allowed: ${d.allowance?.reason ?? ''}` },
          };
        if (d.verdict === 'explained')
          return {
            classname,
            name: d.path,
            skipped: { message: `explained: ${d.explainedBy ?? ''}` },
          };
        if (isAtLeast(d.severity, report.failOn))
          return {
            classname,
            name: d.path,
            failure: { message: `${d.severity} drift: ${d.kind}`, type: d.severity, text },
          };
        return {
          classname,
          name: d.path,
          output: `${d.severity} drift below the threshold: ${text}`,
        };
      });
    return {
      name: classname,
      cases: [
        {
          classname,
          name: `${probe.probe}: ${probe.compared} compared`,
          output: `${probe.drift} drift, ${probe.allowed} allowed, ${probe.explained} explained`,
        },
        ...cases,
      ],
    };
  });
  return renderJunit(
    `understudy parity ${report.env} vs ${report.against}`,
    suites,
    report.finishedAt,
  );
}
