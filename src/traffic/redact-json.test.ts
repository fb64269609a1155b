import { describe, expect, it } from 'vitest';
import { parseJsonPath } from '../data/maskers/mask-json.js';
import { createRedactContext } from './redact-context.js';
import { redactJson } from './redact-json.js';

const key = Buffer.from('a test redaction key, 32 bytes!!');

function run(text: string, paths: string[] = []) {
  const ctx = createRedactContext(key);
  const out = redactJson(
    text,
    ctx,
    'body',
    paths.map((p) => parseJsonPath(p)!),
  );
  return { out, report: ctx.list() };
}

describe('redactJson', () => {
  it('replaces secret-named fields (whole subtrees) and keeps everything else byte for byte', () => {
    const text =
      '{ "user": {"name": "Ann", "password": "hunter2"},\n  "auth": {"token": "t", "n": 7, "on": true},\n  "big": 12345678901234567890123 }';
    const { out, report } = run(text);
    expect(out).toMatch(
      /^\{ "user": \{"name": "Ann", "password": "us_tok_\w+"\},\n {2}"auth": \{"token": "us_tok_\w+", "n": "us_tok_\w+", "on": true\},\n {2}"big": 12345678901234567890123 \}$/,
    );
    expect(report).toEqual([
      { where: 'body:$.auth.n', rule: 'default:secret-field', count: 1 },
      { where: 'body:$.auth.token', rule: 'default:secret-field', count: 1 },
      { where: 'body:$.user.password', rule: 'default:secret-field', count: 1 },
    ]);
  });

  it('replaces configured JSON paths, wildcards included', () => {
    const { out, report } = run(
      '{"user":{"ssn":"123-45-6789"},"items":[{"card":"x1"},{"card":"x2"}]}',
      ['$.user.ssn', '$.items[*].card'],
    );
    expect(out).not.toMatch(/123-45-6789|x1|x2/);
    expect(report).toEqual([
      { where: 'body:$.items[*].card', rule: 'config:json', count: 2 },
      { where: 'body:$.user.ssn', rule: 'config:json', count: 1 },
    ]);
  });

  it('finds a JWT inside JSON text, e-mails as keys, and card numbers written as numbers', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl';
    const inner = JSON.stringify({ note: `header ${jwt}` });
    const { out } = run(
      JSON.stringify({ payload: inner, 'ann@example.com': 1, pan: 4111111111111111 }),
    );
    expect(out).not.toContain(jwt);
    expect(out).not.toContain('ann@example.com');
    expect(out).not.toContain('4111111111111111');
    expect(JSON.parse(out!)).toMatchObject({
      pan: expect.stringMatching(/^us_tok_card_/) as unknown,
    });
  });

  it('says when the text is not JSON, and counts nothing then', () => {
    const { out, report } = run('{"password": "x", oops');
    expect(out).toBeUndefined();
    expect(report).toEqual([]);
  });
});
