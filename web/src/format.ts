/**
 * How numbers, times and sizes read on the dashboard. Pure, so every page writes them alike.
 */
import { formatDuration } from '../../src/shared/duration.js';

/** A parity score as people read it: `97.5 %`, or `n/a`; never rounds drift up to 100 %. */
export function formatScore(score: number | null | undefined): string {
  if (score === null || score === undefined) return 'n/a';
  const percent = Math.floor(score * 1000) / 10;
  return `${percent.toFixed(percent === 100 ? 0 : 1)} %`;
}

/** The tone of a parity score: good from 95 %, fair from 80 %, poor below. */
export function scoreTone(score: number | null | undefined): Tone {
  if (score === null || score === undefined) return 'neutral';
  return score >= 0.95 ? 'good' : score >= 0.8 ? 'warn' : 'bad';
}

export type Tone = 'good' | 'warn' | 'bad' | 'neutral' | 'info';

const goodWords = new Set([
  'pass',
  'succeeded',
  'deployed',
  'ok',
  'match',
  'held',
  'current',
  'active',
]);
const badWords = new Set([
  'fail',
  'failed',
  'error',
  'drift',
  'leak',
  'rejected',
  'denied',
  'interrupted',
  'regression',
  'expired',
  'blocked',
  'rolled-back',
]);
const warnWords = new Set([
  'pending',
  'running',
  'deploying',
  'verifying',
  'queued',
  'waiting',
  'stale',
  'noise',
]);

/** The tone of a status word (`pass`, `drift`, `deploying`, …). */
export function statusTone(status: string): Tone {
  if (goodWords.has(status)) return 'good';
  if (badWords.has(status)) return 'bad';
  if (warnWords.has(status)) return 'warn';
  return 'neutral';
}

/** `3 h ago`, `in 20 min`, `just now`: a time relative to `now`. */
export function timeAgo(iso: string, now: number = Date.now()): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const seconds = Math.round((now - at) / 1000);
  const future = seconds < 0;
  const s = Math.abs(seconds);
  let text: string;
  if (s < 45) return future ? 'in a moment' : 'just now';
  else if (s < 3600) text = `${Math.round(s / 60)} min`;
  else if (s < 86_400) text = `${Math.round(s / 3600)} h`;
  else text = `${Math.round(s / 86_400)} d`;
  return future ? `in ${text}` : `${text} ago`;
}

/** A date and time in the reader's locale, to the minute. */
export function formatTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return at.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Only the time of day when it is today, else the date too. */
export function formatShortTime(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return at.toDateString() === now.toDateString()
    ? at.toLocaleTimeString(undefined, { timeStyle: 'short' })
    : formatTime(iso);
}

/** `2h 30m`, `45s`, `820ms`. */
export function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—';
  return formatDuration(seconds * 1000);
}

/** Milliseconds, shortened: `12 ms`, `1.4 s`. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${ms < 10 ? Math.round(ms * 10) / 10 : Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** `1.2 MB`. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit] ?? 'B'}`;
}

/** `12,345`. */
export function formatCount(n: number | undefined): string {
  return n === undefined ? '—' : n.toLocaleString('en');
}

/** `staging~production` → `staging vs production`. */
export function formatSubject(subject: string): string {
  const [env, against] = subject.split('~');
  return against === undefined ? subject : `${env ?? ''} vs ${against}`;
}

/** A JSON value in one short line. */
export function showJson(value: unknown, width = 120): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? typeof value);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
