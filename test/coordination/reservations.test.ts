/**
 * Reservations of shared staging end to end: a lease or a place in a first-come queue, leases
 * that expire, are extended within the maximum hold and are handed on when released, and a
 * promotion that waits while someone else holds the environment.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PromotionResult } from '../../src/release/promotion-run.js';
import { runUnderstudy, tempProject } from '../harness/cli.js';
import { usePostgres } from '../harness/postgres.js';

interface Listed {
  environments: {
    env: string;
    running: string | null;
    holder: { holder: string; reason: string } | null;
    queue: { holder: string }[];
  }[];
}

describe('reservations', () => {
  const pg = usePostgres();

  it('grants, queues fairly, extends, hands on, expires, and holds promotions back', async () => {
    const dir = await tempProject();
    await writeFile(
      path.join(dir, 'understudy.yaml'),
      `project: shop
environments:
  staging: {}
  production: {}
release:
  stages: [staging, production]
  staging: { deploy: { run: 'true' } }
`,
    );
    const store = await pg().createDatabase();
    const as = (actor: string) => (args: string[]) =>
      runUnderstudy(args, {
        cwd: dir,
        env: { UNDERSTUDY_STORE_URL: store, UNDERSTUDY_ACTOR: actor },
      });
    const [ana, bob, carol] = [as('ana'), as('bob'), as('carol')];

    const held = await ana([
      'reserve',
      'staging',
      '--for',
      '2h',
      '--reason',
      'checkout demo',
      '--json',
    ]);
    expect(held.code).toBe(0);
    expect(held.json<{ reservation: { status: string } }>().reservation.status).toBe('held');
    const second = await bob(['reserve', 'staging', '--reason', 'load test']);
    expect(second.code).toBe(3);
    expect(second.stdout).toContain('bob is number 1 in the queue');
    expect(
      (await carol(['reserve', 'staging', '--for', '2s', '--reason', 'quick look'])).stdout,
    ).toContain('carol is number 2 in the queue');
    // Asking again keeps one's place.
    expect((await bob(['reserve', 'staging', '--reason', 'load test'])).stdout).toContain(
      'number 1',
    );

    const listed = (await ana(['reservations', '--json'])).json<Listed>();
    expect(listed.environments.find((e) => e.env === 'staging')).toMatchObject({
      holder: { holder: 'ana', reason: 'checkout demo' },
      queue: [{ holder: 'bob' }, { holder: 'carol' }],
    });
    expect(listed.environments.find((e) => e.env === 'production')?.holder).toBeNull();

    // Someone else's promotion into staging waits for the lease.
    await bob(['release', 'create', 'v1']);
    const waiting = await bob(['promote', 'v1', '--to', 'staging', '--json']);
    expect(waiting.code).toBe(3);
    expect(
      waiting.json<PromotionResult>().gates.find((g) => g.gate === 'reservation')?.reason,
    ).toMatch(/^ana holds staging until .* \(checkout demo\)$/);

    // Extensions stay within the maximum hold (8 h by default); a longer lease is refused.
    expect(
      (await ana(['reserve', 'staging', '--extend', '--for', '3h', '--reason', 'more'])).stdout,
    ).toContain('(extended)');
    const tooLong = await carol(['reserve', 'production', '--for', '9h', '--reason', 'x']);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain('longer than the maximum hold');
    const nothing = await carol(['reserve', 'production', '--extend', '--reason', 'x']);
    expect(nothing.code).toBe(2);

    // Released: the next in line holds it, and bob's promotion goes through.
    const handedOn = await ana(['release-reservation', 'staging']);
    expect(handedOn.stdout).toContain('bob holds it now');
    expect((await bob(['promote', 'v1', '--to', 'staging'])).code).toBe(0);
    expect((await bob(['release-reservation', 'staging'])).stdout).toContain('carol holds it now');

    // Carol asked for 2 s: then it expires, and a waiting request gets it.
    const waited = await as('dave')([
      'reserve',
      'staging',
      '--wait',
      '--reason',
      'after carol',
      '--json',
    ]);
    expect(waited.code).toBe(0);
    expect(
      waited.json<{ reservation: { holder: string; status: string } }>().reservation,
    ).toMatchObject({
      holder: 'dave',
      status: 'held',
    });
    const after = (await ana(['reservations', '--json'])).json<Listed>();
    expect(after.environments.find((e) => e.env === 'staging')).toMatchObject({
      running: 'v1',
      holder: { holder: 'dave' },
      queue: [],
    });

    const audit = await ana(['audit', 'list', '--json', '--limit', '100']);
    const story = audit
      .json<{ entries: { actor: string; action: string }[] }>()
      .entries.filter((e) => e.action.startsWith('reservation.'))
      .map((e) => `${e.action} ${e.actor}`);
    expect(story).toEqual([
      'reservation.requested ana',
      'reservation.granted understudy',
      'reservation.requested bob',
      'reservation.requested carol',
      'reservation.extended ana',
      'reservation.released ana',
      'reservation.granted understudy',
      'reservation.released bob',
      'reservation.granted understudy',
      // Dave asked before or after carol's 2 s ran out, as the machine's speed has it.
      ...story.slice(9, 11),
      'reservation.granted understudy',
    ]);
    expect(story.slice(9, 11).sort()).toEqual([
      'reservation.expired understudy',
      'reservation.requested dave',
    ]);
    expect((await ana(['audit', 'verify'])).code).toBe(0);
  }, 180_000);
});
