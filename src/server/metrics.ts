/**
 * `/metrics` in Prometheus format (prom-client): HTTP requests by route and status, their
 * durations, sign-in refusals, event-stream clients and running jobs, and — read from the store
 * when scraped — each environment's latest parity score and running version.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PARITY_REPORT_KIND, type ParityReport } from '../parity/parity-report.js';
import { currentDeployment } from '../release/promotion-gates.js';
import type { AppDeps } from './route.js';

export interface ServerMetrics {
  readonly registry: Registry;
  observe(method: string, route: string, status: number, seconds: number): void;
  signInRefused(): void;
}

export function createMetrics(deps: () => AppDeps): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'understudy_process_' });
  const requests = new Counter({
    name: 'understudy_http_requests_total',
    help: 'HTTP requests answered, by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'understudy_http_request_duration_seconds',
    help: 'Time to answer an HTTP request (event streams count until their headers).',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const refused = new Counter({
    name: 'understudy_sign_in_refused_total',
    help: 'Sign-ins refused: wrong name or password, or too many attempts.',
    registers: [registry],
  });
  new Gauge({
    name: 'understudy_event_stream_clients',
    help: 'Clients listening on event streams now.',
    registers: [registry],
    collect() {
      this.set(deps().events.clients);
    },
  });
  new Gauge({
    name: 'understudy_jobs_running',
    help: 'Jobs (syncs, promotions, rollbacks) running in this server now.',
    registers: [registry],
    collect() {
      this.set(deps().jobs.active);
    },
  });
  new Gauge({
    name: 'understudy_parity_score',
    help: 'The latest parity score (0 to 1) of each compared pair of environments.',
    labelNames: ['env', 'against'] as const,
    registers: [registry],
    async collect() {
      const { store } = deps();
      const latest = new Map<string, ParityReport>();
      for (const r of await store.reports.list({ kind: PARITY_REPORT_KIND, limit: 200 }))
        if (!latest.has(r.subject)) latest.set(r.subject, r.body as ParityReport);
      this.reset();
      for (const [subject, report] of latest) {
        const [env = subject, against = ''] = subject.split('~');
        if (typeof report.score === 'number') this.set({ env, against }, report.score);
      }
    },
  });
  new Gauge({
    name: 'understudy_deployed_info',
    help: 'The version each environment runs (value 1), from its last successful deployment.',
    labelNames: ['env', 'version'] as const,
    registers: [registry],
    async collect() {
      const { store, loaded } = deps();
      this.reset();
      for (const env of Object.keys(loaded.config.environments)) {
        const current = await currentDeployment(store, env);
        if (current !== undefined) this.set({ env, version: current.version }, 1);
      }
    },
  });
  return {
    registry,
    observe(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      durations.observe({ method, route }, seconds);
    },
    signInRefused() {
      refused.inc();
    },
  };
}
