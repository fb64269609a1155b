/**
 * JUnit XML, the format CI systems show in their test tabs. Generic: each capability maps its
 * report to suites of cases (parity: a suite per probe, a case per difference).
 */

export interface JunitCase {
  readonly name: string;
  readonly classname: string;
  /** A failing case: `message` in the tab, `text` in its detail. */
  readonly failure?: { readonly message: string; readonly type: string; readonly text: string };
  /** A case that could not run (a failed probe). */
  readonly error?: { readonly message: string };
  readonly skipped?: { readonly message: string };
  readonly output?: string;
}

export interface JunitSuite {
  readonly name: string;
  readonly cases: readonly JunitCase[];
}

/** Escapes text for XML attributes and content, dropping characters XML 1.0 cannot hold. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Renders suites as one JUnit XML document. */
export function renderJunit(
  name: string,
  suites: readonly JunitSuite[],
  timestamp: string,
): string {
  const count = (suite: JunitSuite, key: 'failure' | 'error' | 'skipped'): number =>
    suite.cases.filter((c) => c[key] !== undefined).length;
  const total = (key: 'failure' | 'error' | 'skipped'): number =>
    suites.reduce((sum, s) => sum + count(s, key), 0);
  const tests = suites.reduce((sum, s) => sum + s.cases.length, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(name)}" tests="${tests}" failures="${total('failure')}" errors="${total('error')}" skipped="${total('skipped')}">`,
  ];
  for (const suite of suites) {
    lines.push(
      `  <testsuite name="${escapeXml(suite.name)}" tests="${suite.cases.length}" failures="${count(suite, 'failure')}" errors="${count(suite, 'error')}" skipped="${count(suite, 'skipped')}" timestamp="${escapeXml(timestamp)}">`,
    );
    for (const c of suite.cases) {
      const open = `    <testcase classname="${escapeXml(c.classname)}" name="${escapeXml(c.name)}"`;
      const body: string[] = [];
      if (c.failure !== undefined)
        body.push(
          `      <failure message="${escapeXml(c.failure.message)}" type="${escapeXml(c.failure.type)}">${escapeXml(c.failure.text)}</failure>`,
        );
      if (c.error !== undefined)
        body.push(`      <error message="${escapeXml(c.error.message)}"/>`);
      if (c.skipped !== undefined)
        body.push(`      <skipped message="${escapeXml(c.skipped.message)}"/>`);
      if (c.output !== undefined)
        body.push(`      <system-out>${escapeXml(c.output)}</system-out>`);
      lines.push(
        body.length === 0 ? `${open}/>` : `${open}>`,
        ...body,
        ...(body.length === 0 ? [] : ['    </testcase>']),
      );
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
