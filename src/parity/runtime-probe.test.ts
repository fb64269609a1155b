import { describe, expect, it } from 'vitest';
import { diffRuntime } from './runtime-probe.js';

const production = {
  server_version_num: '170004',
  server_version: '17.4',
  timezone: 'UTC',
  encoding: 'UTF8',
  lc_collate: 'en_US.UTF-8',
  lc_ctype: 'en_US.UTF-8',
  datestyle: 'ISO, MDY',
  intervalstyle: 'postgres',
  default_transaction_isolation: 'read committed',
  standard_conforming_strings: 'on',
};

describe('diffRuntime', () => {
  it('finds nothing between equal servers', () => {
    expect(diffRuntime(production, { ...production })).toEqual([]);
  });

  it('calls a minor release a notice and a major version, time zone or collation breaking', () => {
    const minor = diffRuntime(
      { ...production, server_version_num: '170002', server_version: '17.2' },
      production,
    );
    expect(minor.map((d) => [d.path, d.severity])).toEqual([['runtime:server_version', 'notice']]);
    const staging = {
      ...production,
      server_version_num: '150010',
      server_version: '15.10',
      timezone: 'Europe/Berlin',
      lc_collate: 'C',
    };
    expect(
      diffRuntime(staging, production).map((d) => [d.path, d.severity, d.envValue, d.againstValue]),
    ).toEqual([
      ['runtime:server_version', 'breaking', '15.10', '17.4'],
      ['runtime:timezone', 'breaking', 'Europe/Berlin', 'UTC'],
      ['runtime:lc_collate', 'breaking', 'C', 'en_US.UTF-8'],
    ]);
  });
});
