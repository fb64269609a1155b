/**
 * Roles per environment — viewer, deployer, approver, admin — written `ENV:ROLE` (`*` for every
 * environment), and what each allows. Pure.
 */
import { UnderstudyError } from '../shared/errors.js';

export const ROLES = ['viewer', 'deployer', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Roles by environment (`*`: every environment). */
export type RoleMap = Readonly<Record<string, readonly Role[]>>;

/** What an action needs. Admin may do everything; deploying and approving are separate duties. */
export type Duty = 'view' | 'deploy' | 'approve' | 'administer';

const dutyRoles: Record<Duty, readonly Role[]> = {
  view: ['viewer', 'deployer', 'approver', 'admin'],
  deploy: ['deployer', 'admin'],
  approve: ['approver', 'admin'],
  administer: ['admin'],
};

/** `production:approver` → one grant; refuses unknown roles and malformed text. */
export function parseGrant(text: string): { env: string; role: Role } {
  const m = /^([\w.*-]+):(\w+)$/.exec(text.trim());
  const role = m?.[2] as Role | undefined;
  if (m === null || role === undefined || !ROLES.includes(role))
    throw new UnderstudyError('E_USAGE', `"${text}" is not a role grant`, {
      hint: `write ENV:ROLE with ROLE one of ${ROLES.join(', ')}, e.g. production:approver or *:viewer`,
    });
  return { env: m[1]!, role };
}

/** Grants as a role map (duplicates removed). */
export function roleMap(grants: readonly string[]): RoleMap {
  const out: Record<string, Role[]> = {};
  for (const text of grants) {
    const { env, role } = parseGrant(text);
    const list = (out[env] ??= []);
    if (!list.includes(role)) list.push(role);
  }
  return out;
}

/** Whether `roles` allow `duty` in `env`. */
export function allows(roles: RoleMap, env: string, duty: Duty): boolean {
  const held = [...(roles[env] ?? []), ...(roles['*'] ?? [])];
  return held.some((role) => dutyRoles[duty].includes(role));
}

/** `production:approver, *:viewer` */
export function describeRoles(roles: RoleMap): string {
  const parts = Object.entries(roles).flatMap(([env, list]) => list.map((r) => `${env}:${r}`));
  return parts.length === 0 ? 'no roles' : parts.join(', ');
}
