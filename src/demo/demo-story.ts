/**
 * The demo's story, told with the real `understudy` binary: people and a CI token, a recording of
 * production traffic, a masked sync, v1 promoted through staging into production with its
 * evidence and two approvals, then v2 into staging, where parity and replay find its drift and
 * its regression, and v2 asked into production — which the gates refuse, with their reasons.
 */
import { randomBytes } from 'node:crypto';
import { generateSync } from 'otplib';
import type { CliResult, DemoProcesses } from './demo-processes.js';
import { DRIFT_INDEX } from './sample-data.js';
import {
  summarizeParity,
  summarizePromotion,
  summarizeReplay,
  summarizeSync,
  type DemoStep,
  type DemoSummary,
  type ParitySummary,
  type PromotionSummary,
  type ReplaySummary,
} from './demo-summary.js';
import { SAMPLE_COMMITS } from './sample-service.js';
import { sendTraffic } from './traffic.js';

/** What adding a person handed out: how the dashboard (or a terminal) acts as them. */
export interface DemoPerson {
  readonly name: string;
  /** The dashboard password, made up for this demo. */
  readonly password: string;
  readonly roles: Readonly<Record<string, readonly string[]>>;
  /** The personal token (UNDERSTUDY_TOKEN). */
  readonly token: string;
  /** The TOTP secret (base32), for codes: `generateSync({ secret })` from otplib. */
  readonly totpSecret: string;
  readonly otpauthUri: string;
}

export interface StoryInput {
  readonly cli: DemoProcesses;
  readonly urls: DemoSummary['urls'];
  readonly log: (line: string) => void;
  /** Requests the shoppers send through the recorder. */
  readonly requests: number;
  readonly signal?: AbortSignal;
}

export interface StoryResult {
  readonly summary: Omit<DemoSummary, 'dir' | 'urls' | 'durationMs'>;
  readonly people: readonly DemoPerson[];
  /** The CI token the story's pipeline promoted with (scoped staging and production deployer). */
  readonly ciToken: string;
  /** The codes the story used, to go on from. */
  readonly codes: TotpCodes;
}

type Doc = Record<string, unknown>;

/** A password for a demo person: random, readable, long enough for the sign-in rules. */
function demoPassword(): string {
  const b = randomBytes(12).toString('base64url').replace(/[-_]/g, 'x');
  return `${b.slice(0, 4)}-${b.slice(4, 8)}-${b.slice(8, 12)}`;
}

/**
 * TOTP codes for people acting in quick succession: a code is accepted once per time step, and
 * steps from 30 s before to 30 s after now are accepted, so each person gets the next unused
 * step that is valid now and stays valid for a few seconds more — waiting only when none is.
 * Whoever acts for a demo person after the story (setting a password) must use the same
 * instance, or wait for a step the story did not use.
 */
export class TotpCodes {
  private readonly last = new Map<string, number>();

  /** A code for `person` that the store has not seen yet. */
  async next(person: DemoPerson, signal?: AbortSignal): Promise<string> {
    for (;;) {
      const now = Date.now() / 1000;
      const lowest = Math.floor((now + 8) / 30) - 1;
      const step = Math.max((this.last.get(person.name) ?? -Infinity) + 1, lowest);
      if (step <= Math.floor(now / 30) + 1) {
        this.last.set(person.name, step);
        return generateSync({ secret: person.totpSecret, epoch: step * 30 });
      }
      signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, ((step - 1) * 30 - now) * 1000 + 50));
    }
  }
}

function parse(result: CliResult): Doc {
  try {
    return JSON.parse(result.stdout) as Doc;
  } catch {
    throw new Error(
      `understudy ${result.args.join(' ')} exited with ${result.code}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
}

/** The error document's message, for a command that failed. */
function failure(doc: Doc): string {
  const error = doc.error as { message?: string; hint?: string } | undefined;
  return error?.message ?? 'failed';
}

/** Runs the story; returns the summary and the people it enrolled. */
export async function runStory(input: StoryInput): Promise<StoryResult> {
  const { cli, log, signal } = input;
  const steps: DemoStep[] = [];
  const codes = new TotpCodes();

  /** Runs one step: logs it, times it, and keeps whether it went as the story expects. */
  const step = async <T>(
    name: string,
    action: () => Promise<{ value: T; detail: string; expected: boolean }>,
  ): Promise<T> => {
    signal?.throwIfAborted();
    const started = performance.now();
    const { value, detail, expected } = await action();
    const ms = Math.round(performance.now() - started);
    steps.push({ name, status: expected ? 'ok' : 'unexpected', detail, ms });
    log(`${expected ? '✓' : '!'} ${name}: ${detail} (${(ms / 1000).toFixed(1)} s)`);
    return value;
  };
  const json = async (
    args: readonly string[],
    as?: { token: string; totp?: string },
    input?: string,
  ): Promise<{ doc: Doc; code: number }> => {
    const env: Record<string, string> = as === undefined ? {} : { UNDERSTUDY_TOKEN: as.token };
    const result = await cli.run(
      [...args, ...(as?.totp === undefined ? [] : ['--totp', as.totp]), '--json'],
      { env, ...(input === undefined ? {} : { input }) },
    );
    return { doc: parse(result), code: result.code };
  };
  const must = async (
    args: readonly string[],
    as?: { token: string; totp?: string },
    input?: string,
  ): Promise<Doc> => {
    const { doc, code } = await json(args, as, input);
    if (code !== 0) throw new Error(`understudy ${args.join(' ')}: ${failure(doc)}`);
    return doc;
  };

  // ── people ──────────────────────────────────────────────────────────────────────────────
  const person = (doc: Doc, password: string): DemoPerson => {
    const p = doc.person as { name: string; roles: Record<string, string[]> };
    return {
      name: p.name,
      password,
      roles: p.roles,
      token: doc.token as string,
      totpSecret: doc.totpSecret as string,
      otpauthUri: doc.otpauthUri as string,
    };
  };
  const { people, ciToken } = await step('people', async () => {
    // Each gets a dashboard password too, set as they are added (no extra second factor).
    const passwords = { admin: demoPassword(), approver: demoPassword() };
    const admin = person(
      await must(['user', 'add', 'admin', '--password-stdin'], undefined, passwords.admin),
      passwords.admin,
    );
    const approver = person(
      await must(
        [
          'user',
          'add',
          'approver',
          '--role',
          'production:approver',
          '--role',
          'staging:approver',
          '--password-stdin',
        ],
        { token: admin.token, totp: await codes.next(admin, signal) },
        passwords.approver,
      ),
      passwords.approver,
    );
    const token = await must(
      [
        'token',
        'create',
        'pipeline',
        '--scope',
        'staging:deployer',
        '--scope',
        'production:deployer',
      ],
      { token: admin.token, totp: await codes.next(admin, signal) },
    );
    return {
      value: { people: [admin, approver], ciToken: token.token as string },
      detail: 'admin and approver enrolled (token + TOTP); CI token "pipeline" deploys',
      expected: true,
    };
  });
  const [admin, approver] = people as [DemoPerson, DemoPerson];
  const pipeline = { token: ciToken };

  // ── traffic ─────────────────────────────────────────────────────────────────────────────
  const traffic = await step('record', async () => {
    const recorder = cli.start(['record', '--json']);
    try {
      await recorder.waitFor(/recording /, 15_000);
    } catch (error) {
      await recorder.stop('SIGKILL');
      throw error;
    }
    const sent = await sendTraffic({
      baseUrl: input.urls.proxy,
      count: input.requests,
      concurrency: 8,
    });
    const stopped = parse(await recorder.stop('SIGINT'));
    const recorded = Number(stopped.recorded ?? 0);
    const dropped = Number(stopped.dropped ?? 0);
    return {
      value: { sent: sent.sent, byStatus: sent.byStatus, recorded, dropped },
      detail: `${sent.sent} requests through the proxy in ${sent.durationMs} ms; ${recorded} recorded, ${dropped} dropped`,
      expected: recorded === sent.sent && sent.failed === 0,
    };
  });

  // ── data ────────────────────────────────────────────────────────────────────────────────
  const scan = await step('data scan', async () => {
    const { doc } = await json(['data', 'scan']);
    const findings =
      (doc.findings as { table: string; column: string; covered?: string }[] | undefined) ?? [];
    const kept = findings
      .filter((f) => f.covered?.startsWith('kept') === true)
      .map((f) => `${f.table}.${f.column}`);
    const uncovered = Number(doc.uncovered ?? 0);
    return {
      value: { personal: findings.length, uncovered, kept },
      detail: `${findings.length} columns hold personal data; ${findings.length - kept.length - uncovered} masked, ${kept.length} kept with a reason, ${uncovered} uncovered`,
      expected: uncovered === 0,
    };
  });
  const sync = await step('data sync', async () => {
    const { doc } = await json(['data', 'sync']);
    if (doc.report === undefined) throw new Error(`data sync: ${failure(doc)}`);
    const summary = summarizeSync(doc);
    return {
      value: summary,
      detail: `production → staging, ${summary.rows} rows; masked ${summary.maskedColumns.length} columns; verified: ${summary.verified === true ? 'no production value found' : 'NOT clean'}`,
      expected: summary.status === 'pass' && summary.verified === true,
    };
  });

  // ── v1: staging, evidence, approvals, production ────────────────────────────────────────
  const promotions: PromotionSummary[] = [];
  const promote = (
    version: string,
    env: string,
    expect: (summary: PromotionSummary) => boolean = (p) => p.outcome === 'deployed',
  ) =>
    step(`promote ${version} → ${env}`, async () => {
      const { doc } = await json(['promote', version, '--to', env], pipeline);
      if (doc.outcome === undefined) throw new Error(`promote ${version}: ${failure(doc)}`);
      const summary = summarizePromotion(doc);
      promotions.push(summary);
      return {
        value: summary,
        detail: `${summary.outcome}: ${summary.reason}`,
        expected: expect(summary),
      };
    });
  const release = (version: 'v1' | 'v2', notes: string) =>
    step(`release ${version}`, async () => {
      const doc = await must(
        ['release', 'create', version, '--commit', SAMPLE_COMMITS[version], '--notes', notes],
        pipeline,
      );
      const digest = (doc.release as { digest?: string } | undefined)?.digest ?? '';
      return {
        value: doc,
        detail: `created by the pipeline (${digest.slice(0, 19)}…)`,
        expected: true,
      };
    });
  const parity = (running: string, expect: (summary: ParitySummary) => boolean) =>
    step(`parity (staging runs ${running})`, async () => {
      const summary = summarizeParity((await json(['parity'])).doc);
      const breaking = summary.differences.filter(
        (d) => d.verdict === 'drift' && d.severity === 'breaking',
      );
      const score = summary.score === null ? 'n/a' : `${Math.round(summary.score * 1000) / 10} %`;
      return {
        value: summary,
        detail: `${summary.status}, score ${score}; ${summary.blocking} blocking${breaking.length === 0 ? '' : `: ${breaking.map((d) => d.path).join(', ')}`}`,
        expected: expect(summary),
      };
    });
  const replay = (running: string, expect: (summary: ReplaySummary) => boolean) =>
    step(`replay (staging runs ${running})`, async () => {
      const { doc } = await json(['replay', 'captures']);
      if (doc.report === undefined) throw new Error(`replay: ${failure(doc)}`);
      const summary = summarizeReplay(doc);
      const c = summary.counts;
      return {
        value: summary,
        detail: `${summary.status}: ${c.total} requests — ${c.match} match, ${c.noise} noise, ${c.regression} regression, ${c.skipped} skipped, ${c.error} error`,
        expected: expect(summary),
      };
    });
  const approve = (who: DemoPerson, version: string) =>
    step(`${who.name} approves ${version} for production`, async () => {
      await must(['approve', version, '--env', 'production', '--comment', 'evidence looks good'], {
        token: who.token,
        totp: await codes.next(who, signal),
      });
      return { value: undefined, detail: 'approved with a second factor', expected: true };
    });

  await release('v1', 'The shop as production runs it.');
  await promote('v1', 'staging');
  const parityV1 = await parity('v1', (p) => p.status === 'pass');
  const replayV1 = await replay('v1', (r) => r.status === 'pass' && r.counts.regression === 0);
  await approve(admin, 'v1');
  await approve(approver, 'v1');
  await promote('v1', 'production');

  // ── v2: staging finds the drift and the regression; production refuses it ──────────────
  await release('v2', 'Simplified pricing; drops an index the new queries no longer use.');
  await promote('v2', 'staging');
  // Exactly what was planted: one breaking difference (the index), one regression (the total).
  const parityV2 = await parity('v2', (p) => {
    const breaking = p.differences.filter(
      (d) => d.verdict === 'drift' && d.severity === 'breaking',
    );
    return p.status === 'drift' && breaking.length === 1 && breaking[0]!.path.endsWith(DRIFT_INDEX);
  });
  const replayV2 = await replay(
    'v2',
    (r) =>
      r.status === 'fail' &&
      r.regressions.length === 1 &&
      r.regressions[0]!.route === 'GET /orders/{id}' &&
      r.regressions[0]!.path === '$.total',
  );
  const blocked = await promote('v2', 'production', (p) => {
    const status = (gate: string) => p.gates.find((g) => g.gate === gate)?.status;
    return (
      p.outcome === 'denied' &&
      status('parity') === 'fail' &&
      status('replay') === 'fail' &&
      status('approvals') === 'pending'
    );
  });
  // Someone looks into it: staging is held, as a team would hold it while debugging.
  const looking = people[1];
  if (looking !== undefined)
    await step('reserve staging', async () => {
      const held = await must(
        ['reserve', 'staging', '--for', '2h', '--reason', 'looking into the v2 replay regression'],
        { token: looking.token },
      );
      const reservation = held.reservation as { holder: string; status: string };
      return {
        value: undefined,
        detail: `${reservation.holder} holds staging for 2 h`,
        expected: reservation.status === 'held',
      };
    });

  return {
    summary: {
      steps,
      traffic,
      scan,
      sync,
      parity: { v1: parityV1, v2: parityV2 },
      replay: { v1: replayV1, v2: replayV2 },
      promotions,
      blocked,
      asExpected: steps.every((s) => s.status === 'ok'),
    },
    people,
    ciToken,
    codes,
  };
}
