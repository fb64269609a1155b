import { describe, expect, it } from 'vitest';
import { ReplayAccount } from '../../traffic/replay-account.js';
import { buildReplayReport, type ReplayReport } from '../../traffic/replay-report.js';
import { createOutput } from '../cli-output.js';
import { renderReplayHtml } from './replay-html.js';
import { renderReplayJunit } from './replay-junit.js';
import { renderReplayText } from './replay-text.js';

function sample(): ReplayReport {
  const account = new ReplayAccount();
  const base = { method: 'GET', recordedMs: 10, targetMs: 12 };
  account.add({
    ...base,
    id: '1',
    url: '/p/7',
    route: 'GET /p/{id}',
    diff: {
      bodyCompared: true,
      differences: [
        {
          kind: 'changed',
          path: '$.name',
          general: '$.name',
          recorded: '<b>old</b>',
          actual: '<script>x</script>',
        },
      ],
    },
    bodies: {
      recorded: '{"name":"<b>old</b>","id":7}',
      actual: '{"name":"<script>x</script>","id":7}',
    },
  });
  account.add({
    ...base,
    id: '2',
    url: '/p/8',
    route: 'GET /p/{id}',
    diff: { bodyCompared: true, differences: [] },
  });
  account.add({ ...base, id: '3', url: '/down', route: 'GET /down', error: 'connection refused' });
  account.add({
    ...base,
    id: '4',
    url: '/o',
    method: 'POST',
    route: 'POST /o',
    skipped: 'unsafe method POST (policy: skip)',
  });
  const tally = account.finish(new Map(), { slowerBy: 25, minMs: 5 });
  return buildReplayReport(tally, {
    capture: 'captures',
    target: { name: 'staging', url: 'http://127.0.0.1:4001' },
    startedAt: new Date('2026-11-21T10:00:00Z'),
    finishedAt: new Date('2026-11-21T10:00:02Z'),
    maxRegressions: 0,
    latency: { slowerBy: 25, minMs: 5, fail: false },
    problems: { count: 0, items: [] },
    notes: [],
  });
}

describe('replay reporters', () => {
  it('text: verdict, buckets, regressions with examples, skips and errors', () => {
    const output = createOutput(
      { stdout: { write: () => true }, stderr: { write: () => true } },
      { json: false, color: false },
    );
    const text = renderReplayText(sample(), output.color).join('\n');
    expect(text).toContain(
      'replay of captures against staging (http://127.0.0.1:4001): FAIL — 1 regression (at most 0 tolerated)',
    );
    expect(text).toContain('4 requests: 1 match · 1 regression · 0 noise · 1 skipped · 1 error');
    expect(text).toContain('GET /p/7  $.name: "<b>old</b>" → "<script>x</script>"');
    expect(text).toContain('unsafe method POST (policy: skip) ×1');
    expect(text).toContain('connection refused ×1');
  });

  it('JUnit: one case per route — failure, error, skipped', () => {
    const xml = renderReplayJunit(sample());
    expect(xml).toContain('tests="3" failures="1" errors="1" skipped="1"');
    expect(xml).toContain('<testcase classname="replay" name="GET /p/{id}">');
    expect(xml).toContain('&lt;script&gt;');
  });

  it('HTML: self-contained, escaped, the bodies side by side with the differing lines marked', () => {
    const page = renderReplayHtml(sample());
    expect(page).not.toContain('<script>x</script>');
    expect(page).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(page).toMatch(
      /<mark class="del">\s*&quot;name&quot;: &quot;&lt;b&gt;old&lt;\/b&gt;&quot;,<\/mark>/,
    );
    expect(page).toMatch(
      /<mark class="ins">\s*&quot;name&quot;: &quot;&lt;script&gt;x&lt;\/script&gt;&quot;,<\/mark>/,
    );
    expect(page).toContain('<svg');
    expect(page).not.toMatch(/<link|\bsrc=|\bhref=|@import|url\(/);
    expect(page.match(/<script>/g)).toHaveLength(1);
  });
});
