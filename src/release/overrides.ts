/**
 * Break-glass: deploying through a freeze. An admin asks, with a reason and a second factor
 * (`promote V --to ENV --break-glass REASON`); a second person holding the approver (or admin)
 * role there agrees, with a second factor (`approve V --env ENV --break-glass`); the admin's next
 * promotion then passes the freeze gate, once, within an hour of the agreement. Only the freeze
 * is overridden — evidence and approvals still count — and every step is audited as such.
 */
import { authDetails, requirePersonWithCode, type Identity } from '../access/people.js';
import { allows } from '../access/roles.js';
import { appendAuditIn } from '../audit/audit-log.js';
import { UnderstudyError } from '../shared/errors.js';
import type { Store } from '../store/open-store.js';
import { toDate, toNumber, toText } from '../store/sql-values.js';

type OverrideStore = Pick<Store, 'driver'>;

/** An approved override stays usable this long. */
const VALID_MS = 3_600_000;

export interface Override {
  readonly id: number;
  readonly requestedBy: string;
  readonly reason: string;
  readonly approvedBy?: string;
}

interface Row {
  readonly id: unknown;
  readonly requested_by: unknown;
  readonly reason: unknown;
  readonly approved_by: unknown;
}

const toOverride = (r: Row): Override => ({
  id: toNumber(r.id, 'overrides.id'),
  requestedBy: toText(r.requested_by, 'overrides.requested_by'),
  reason: toText(r.reason, 'overrides.reason'),
  ...(r.approved_by === null ? {} : { approvedBy: toText(r.approved_by, 'overrides.approved_by') }),
});

/**
 * For an admin's break-glass promotion: the approved, unused override to use now, or — when
 * there is none — the request (made now, or already waiting) for a second person to approve.
 */
export async function breakGlass(
  store: OverrideStore,
  input: { version: string; env: string; reason: string },
  identity: Identity | undefined,
): Promise<{ approved: Override } | { waiting: Override }> {
  const admin = requirePersonWithCode(identity, 'breaking the glass');
  if (!allows(admin.roles, input.env, 'administer'))
    throw new UnderstudyError(
      'E_BLOCKED',
      `breaking the glass for ${input.env} needs the admin role`,
    );
  if (input.reason.trim().length < 10)
    throw new UnderstudyError(
      'E_USAGE',
      '--break-glass needs a reason the others can read (10 characters or more)',
    );
  return store.driver.transaction(async (tx) => {
    const { rows } = await tx.query<Row>(
      `SELECT id, requested_by, reason, approved_by FROM overrides
        WHERE version = $1 AND env = $2 AND requested_by = $3 AND used_at IS NULL
          AND (approved_at IS NULL OR approved_at > now() - make_interval(secs => $4))
        ORDER BY id DESC LIMIT 1`,
      [input.version, input.env, admin.name, VALID_MS / 1000],
    );
    const open = rows[0] === undefined ? undefined : toOverride(rows[0]);
    if (open?.approvedBy !== undefined) {
      await tx.query('UPDATE overrides SET used_at = now() WHERE id = $1', [open.id]);
      await appendAuditIn(tx, store.driver.location, {
        actor: admin.name,
        action: 'override.used',
        subject: `${input.version} ${input.env}`,
        details: {
          ...authDetails(admin),
          override: open.id,
          reason: open.reason,
          approvedBy: open.approvedBy,
        },
      });
      return { approved: open };
    }
    if (open !== undefined) return { waiting: open };
    const inserted = await tx.query<Row>(
      `INSERT INTO overrides (version, env, requested_by, reason) VALUES ($1, $2, $3, $4)
       RETURNING id, requested_by, reason, approved_by`,
      [input.version, input.env, admin.name, input.reason],
    );
    const request = toOverride(inserted.rows[0]!);
    await appendAuditIn(tx, store.driver.location, {
      actor: admin.name,
      action: 'override.requested',
      subject: `${input.version} ${input.env}`,
      details: { ...authDetails(admin), override: request.id, reason: request.reason },
    });
    return { waiting: request };
  });
}

/** A second person agrees to the newest waiting break-glass request for `version` in `env`. */
export async function approveBreakGlass(
  store: OverrideStore,
  input: { version: string; env: string },
  identity: Identity | undefined,
): Promise<Override> {
  const person = requirePersonWithCode(identity, 'approving a break-glass override');
  if (!allows(person.roles, input.env, 'approve'))
    throw new UnderstudyError(
      'E_BLOCKED',
      `approving a break-glass override for ${input.env} needs ${input.env}:approver or admin`,
    );
  return store.driver.transaction(async (tx) => {
    const { rows } = await tx.query<Row>(
      `SELECT id, requested_by, reason, approved_by FROM overrides
        WHERE version = $1 AND env = $2 AND approved_by IS NULL AND used_at IS NULL
        ORDER BY id DESC LIMIT 1`,
      [input.version, input.env],
    );
    const request = rows[0] === undefined ? undefined : toOverride(rows[0]);
    if (request === undefined)
      throw new UnderstudyError(
        'E_INPUT',
        `nobody asked to break the glass for ${input.version} in ${input.env}`,
      );
    if (request.requestedBy === person.name)
      throw new UnderstudyError(
        'E_BLOCKED',
        `${person.name} asked for this override and cannot approve it: a second person must`,
      );
    const approvedAt = await tx.query<{ approved_at: unknown }>(
      'UPDATE overrides SET approved_by = $2, approved_at = now() WHERE id = $1 RETURNING approved_at',
      [request.id, person.name],
    );
    toDate(approvedAt.rows[0]?.approved_at, 'overrides.approved_at');
    await appendAuditIn(tx, store.driver.location, {
      actor: person.name,
      action: 'override.approved',
      subject: `${input.version} ${input.env}`,
      details: {
        ...authDetails(person),
        override: request.id,
        requestedBy: request.requestedBy,
        reason: request.reason,
      },
    });
    return { ...request, approvedBy: person.name };
  });
}
