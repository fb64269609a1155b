import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { renderParityJunit } from './parity-junit.js';
import { renderEnvironmentDoc, renderParityMarkdown } from './parity-markdown.js';
import { sampleParityReport } from './parity-sample.test-helper.js';
import { renderParityText } from './parity-text.js';

const golden = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden');

/** Compares with a golden file; `UPDATE_GOLDEN=1 npx vitest run …` rewrites it after a deliberate change. */
async function expectGolden(name: string, text: string): Promise<void> {
  const file = path.join(golden, name);
  if (process.env.UPDATE_GOLDEN === '1') await writeFile(file, text);
  expect(text).toBe(await readFile(file, 'utf8'));
}

describe('parity reporters', () => {
  const report = sampleParityReport();
  const plain = pc.createColors(false);

  it('renders a pull-request comment (golden file)', async () => {
    await expectGolden('parity-comment.md', renderParityMarkdown(report));
  });

  it('renders the documented environment differences page (golden file)', async () => {
    await expectGolden('environment-differences.md', renderEnvironmentDoc(report));
  });

  it('never shows a secret value or its hash, in any format', () => {
    for (const text of [
      renderParityMarkdown(report),
      renderEnvironmentDoc(report),
      renderParityJunit(report),
      renderParityText(report, plain).join('\n'),
    ]) {
      expect(text).not.toMatch(/[0-9a-f]{32}/);
    }
    expect(renderParityMarkdown(report)).toContain(
      '| 🟡 | notice | `config:PAYMENT_API_KEY` | `‹secret›` | `‹secret›` |',
    );
  });

  it('writes JUnit with a failure per blocking difference and skips for allowed ones', () => {
    const xml = renderParityJunit(report);
    expect(xml).toContain(
      '<testsuites name="understudy parity staging vs production" tests="14" failures="4" errors="0" skipped="4">',
    );
    expect(xml).toContain(
      '<testcase classname="parity.schema" name="schema:public.orders.columns.total.type">',
    );
    expect(xml).toContain(
      '<failure message="breaking drift: changed" type="breaking">changed: staging: integer; production: numeric(10,2)</failure>',
    );
    expect(xml).toContain('<skipped message="allowed: verbose logs in staging"/>');
    expect(xml).toContain('<skipped message="no maximum data age is set (parity.maxDataAge)"/>');
  });

  it('prints a terminal summary that ends in the verdict', () => {
    const lines = renderParityText(report, plain);
    expect(lines[0]).toBe(
      'Parity: staging vs production   score 98.6 %   (436 compared · 6 drift · 1 allowed · 1 explained)',
    );
    expect(lines).toContain(
      '  ✗ breaking  schema:public.orders.columns.total.type  staging: integer   production: numeric(10,2)',
    );
    expect(lines).toContain(
      '  ⌛ config:FEATURE_CHECKOUT_V2 expired on 2026-11-01: its difference is drift again',
    );
    expect(lines).toContain(
      '  ? config:OLD_QUEUE_URL matched nothing: remove it, or fix its match',
    );
    expect(lines.at(-1)).toBe('✗ 4 unexplained differences at or above "breaking": parity fails');
  });
});
