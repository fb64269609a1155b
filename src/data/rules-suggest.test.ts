import { describe, expect, it } from 'vitest';
import { addSuggestedRules } from './rules-suggest.js';

const finding = (table: string, column: string, suggested: string) => ({
  table,
  column,
  kind: suggested,
  confidence: 0.9,
  suggested,
});

describe('addSuggestedRules', () => {
  it('adds rules for uncovered columns and keeps comments and existing rules as written', () => {
    const text = `# shop's understudy config
project: shop # the service
environments:
  staging: {}
data:
  # masking key comes from the vault
  key: \${UNDERSTUDY_MASK_KEY}
  tables:
    public.customers:
      columns: { email: email } # reviewed 2026-10
`;
    const result = addSuggestedRules(text, [
      finding('public.customers', 'email', 'email'),
      finding('public.customers', 'phone', 'phone'),
      finding('public.employees', 'home_phone', 'phone'),
    ]);
    expect(result.added).toEqual([
      'public.customers.phone: phone',
      'public.employees.home_phone: phone',
    ]);
    expect(result.text).toContain("# shop's understudy config");
    expect(result.text).toContain('project: shop # the service');
    expect(result.text).toContain('  # masking key comes from the vault');
    expect(result.text).toContain('columns: { email: email, phone: phone } # reviewed 2026-10');
    expect(result.text).toContain(
      '    public.employees:\n      columns:\n        home_phone: phone\n',
    );
  });

  it('creates the data section when there is none, and changes nothing when all is covered', () => {
    const result = addSuggestedRules('project: shop\nenvironments:\n  staging: {}\n', [
      finding('public.users', 'email', 'email'),
    ]);
    expect(result.text).toBe(
      'project: shop\nenvironments:\n  staging: {}\ndata:\n  tables:\n    public.users:\n      columns:\n        email: email\n',
    );
    const again = addSuggestedRules(result.text, [finding('public.users', 'email', 'email')]);
    expect(again).toEqual({ text: result.text, added: [] });
  });

  it('leaves tables copied without rows alone', () => {
    const text =
      'project: s\nenvironments: { staging: {} }\ndata:\n  tables:\n    public.sessions: { rows: none }\n';
    expect(addSuggestedRules(text, [finding('public.sessions', 'token', 'hash')]).added).toEqual(
      [],
    );
  });
});
