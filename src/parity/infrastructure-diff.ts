/**
 * Compares two `terraform show -json` documents, pure: managed resources matched by address,
 * their attributes flattened to dotted paths (`root_block_device.0.volume_size`). Paths are
 * `infrastructure:<address>.<attribute>`, so an allowance on an address covers all its attributes.
 *
 * Severity, relative to `env` (staging): a resource only production has → breaking; one only
 * staging has → notice; an attribute that differs → breaking (“staging runs on smaller machines”
 * is then a documented allowance). Attributes that always differ between two deployments and are
 * not configuration (ids, ARNs, timestamps, assigned addresses) are ignored. Attributes Terraform
 * marks in `sensitive_values`, whose names say secret, or whose values have a credential's shape
 * are compared by keyed hash and reported without values, with the config probe's rules (differ →
 * notice; identical → breaking, a production credential in staging). Data sources are not compared:
 * they are lookups, not what the environment runs.
 */
import { UnderstudyError } from '../shared/errors.js';
import { parseJsonText } from './config-parse.js';
import { driftPath, type Difference, type JsonValue } from './drift.js';
import { hasKnownSecretShape, isSecretKey, sameSecret } from './secret-detect.js';

/**
 * Attribute names ignored by default wherever they appear in a path (`*` matches any characters):
 * identity and assigned values, not configuration. `*_id` and `*_ids` are references to other
 * resources (`subnet_id`, `vpc_security_group_ids`) — always different ids in two environments,
 * while the referenced resources are compared themselves, by address.
 */
export const ignoredInfrastructureAttributes: readonly string[] = [
  'id',
  '*_id',
  '*_ids',
  'arn',
  'unique_id',
  'self_link',
  'owner_id',
  'etag',
  'fingerprint',
  'label_fingerprint',
  'tags_all', // tags plus provider default tags: tags themselves are compared
  'creation_date',
  'create_date',
  'create_time',
  'creation_time',
  'creation_timestamp',
  'created_at',
  'last_modified',
  'last_modified_date',
  'last_updated',
  'updated_at',
  'update_time',
  'private_ip',
  'public_ip',
  'private_dns',
  'public_dns',
  'endpoint', // assigned host names and addresses (RDS, load balancers, static IPs)
  'address',
];

/** One managed resource, attributes flattened. */
export interface TerraformResource {
  readonly address: string;
  readonly type: string;
  readonly attributes: ReadonlyMap<string, JsonValue>;
  /** Attribute paths Terraform marks sensitive (a marked object covers its contents). */
  readonly sensitive: ReadonlySet<string>;
}

/** The managed resources of one `terraform show -json` document, by address. */
export type TerraformResources = ReadonlyMap<string, TerraformResource>;

/** Reads `terraform show -json` output (state, or a plan's `planned_values`); `file` names it in errors. */
export function parseTerraformShow(text: string, file: string): TerraformResources {
  const doc = parseJsonText(text, file) as { [key: string]: unknown } | null;
  if (doc === null || typeof doc !== 'object' || typeof doc.format_version !== 'string') {
    throw new UnderstudyError(
      'E_INPUT',
      `${file}: not \`terraform show -json\` output (no format_version)`,
      {
        hint: 'Write it with: terraform show -json > FILE',
      },
    );
  }
  const values = (doc.values ?? doc.planned_values) as { root_module?: unknown } | undefined;
  const resources = new Map<string, TerraformResource>();
  const walk = (module: unknown): void => {
    if (module === null || typeof module !== 'object') return;
    const m = module as { resources?: unknown; child_modules?: unknown };
    for (const raw of Array.isArray(m.resources) ? (m.resources as unknown[]) : []) {
      const r = raw as { [key: string]: unknown };
      if (typeof r.address !== 'string')
        throw new UnderstudyError('E_INPUT', `${file}: a resource has no address`);
      if (r.mode === 'data') continue;
      resources.set(r.address, {
        address: r.address,
        type: typeof r.type === 'string' ? r.type : '',
        attributes: flattenAttributes(r.values),
        sensitive: sensitivePaths(r.sensitive_values),
      });
    }
    for (const child of Array.isArray(m.child_modules) ? (m.child_modules as unknown[]) : [])
      walk(child);
  };
  walk(values?.root_module);
  return resources;
}

/** Attributes as dotted path → leaf value; empty objects and arrays are leaves (`{}`, `[]`). */
function flattenAttributes(values: unknown): Map<string, JsonValue> {
  const out = new Map<string, JsonValue>();
  const walk = (node: unknown, key: string): void => {
    if (node !== null && typeof node === 'object') {
      const entries = Array.isArray(node)
        ? node.map((v, i) => [String(i), v] as const)
        : Object.entries(node as Record<string, unknown>);
      if (entries.length === 0 && key !== '') out.set(key, Array.isArray(node) ? [] : {});
      for (const [k, v] of entries) walk(v, key === '' ? k : `${key}.${k}`);
    } else if (key !== '') {
      out.set(key, node === undefined ? null : (node as JsonValue));
    }
  };
  walk(values, '');
  return out;
}

/** Paths marked `true` in `sensitive_values`. */
function sensitivePaths(marks: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (node: unknown, key: string): void => {
    if (node === true && key !== '') out.add(key);
    else if (node !== null && typeof node === 'object')
      for (const [k, v] of Object.entries(node as Record<string, unknown>))
        walk(v, key === '' ? k : `${key}.${k}`);
  };
  walk(marks, '');
  return out;
}

/** How sensitive attributes are compared, which are ignored, and the names used in notes. */
export interface InfrastructureDiffOptions {
  /** The run's random key for comparing sensitive attributes by keyed hash. */
  readonly secretKey: Buffer;
  /** Attribute names ignored (default: `ignoredInfrastructureAttributes`). */
  readonly ignore?: readonly string[];
  /** Environment names for notes (`staging` and `production` by default). */
  readonly names?: { readonly env: string; readonly against: string };
}

/** What `diffInfrastructure` found. */
export interface InfrastructureDiff {
  /** Attributes compared on resources both have, plus each resource only one side has. */
  readonly compared: number;
  /** Attribute values skipped because their names are ignored. */
  readonly ignored: number;
  readonly differences: readonly Difference[];
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Compares `env`'s resources with `against`'s; differences in address order. */
export function diffInfrastructure(
  env: TerraformResources,
  against: TerraformResources,
  options: InfrastructureDiffOptions,
): InfrastructureDiff {
  const names = options.names ?? { env: 'staging', against: 'production' };
  const ignore = nameMatcher(options.ignore ?? ignoredInfrastructureAttributes);
  const differences: Difference[] = [];
  let compared = 0;
  let ignored = 0;
  const addresses = [...new Set([...env.keys(), ...against.keys()])].sort(byCodePoint);
  for (const address of addresses) {
    const e = env.get(address);
    const a = against.get(address);
    if (e === undefined || a === undefined) {
      compared++;
      const only = e ?? a!;
      differences.push({
        probe: 'infrastructure',
        path: driftPath('infrastructure', address),
        kind: e === undefined ? 'missing' : 'extra',
        severity: e === undefined ? 'breaking' : 'notice',
        note: `${only.type || 'resource'} only in ${e === undefined ? names.against : names.env}`,
      });
      continue;
    }
    const paths = [...new Set([...e.attributes.keys(), ...a.attributes.keys()])].sort(byCodePoint);
    for (const attribute of paths) {
      if (attribute.split('.').some(ignore)) {
        ignored++;
        continue;
      }
      const envValue = e.attributes.get(attribute);
      const againstValue = a.attributes.get(attribute);
      // `tags = {}` on one side and `tags.team = …` on the other: the children say it all.
      if (envValue === undefined && isEmptyContainer(againstValue) && hasChildren(e, attribute))
        continue;
      if (againstValue === undefined && isEmptyContainer(envValue) && hasChildren(a, attribute))
        continue;
      compared++;
      const path = driftPath('infrastructure', address, attribute);
      const secret =
        isSensitive(e, attribute) ||
        isSensitive(a, attribute) ||
        isSecretKey(attribute) ||
        (typeof envValue === 'string' && hasKnownSecretShape(envValue)) ||
        (typeof againstValue === 'string' && hasKnownSecretShape(againstValue));
      const withheld = secret ? { secret: true, note: 'sensitive: value withheld' } : undefined;
      const base = { probe: 'infrastructure' as const, path };
      if (envValue === undefined) {
        differences.push({
          ...base,
          kind: 'missing',
          severity: 'breaking',
          ...(withheld ?? { againstValue }),
        });
      } else if (againstValue === undefined) {
        differences.push({
          ...base,
          kind: 'extra',
          severity: 'notice',
          ...(withheld ?? { envValue }),
        });
      } else if (!secret) {
        if (JSON.stringify(envValue) !== JSON.stringify(againstValue))
          differences.push({
            ...base,
            kind: 'changed',
            severity: 'breaking',
            envValue,
            againstValue,
          });
      } else if (
        !sameSecret(JSON.stringify(envValue), JSON.stringify(againstValue), options.secretKey)
      ) {
        differences.push({
          ...base,
          kind: 'changed',
          severity: 'notice',
          secret: true,
          note: 'sensitive values differ (compared by keyed hash); separate credentials per environment are expected',
        });
      } else if (envValue !== null && envValue !== '' && !isEmptyContainer(envValue)) {
        differences.push({
          ...base,
          kind: 'changed',
          severity: 'breaking',
          secret: true,
          note: `${names.env} uses the same sensitive value as ${names.against}: a ${names.against} credential in ${names.env}`,
        });
      }
    }
  }
  return { compared, ignored, differences };
}

/** A test for attribute names: exact, or with `*` matching any characters. */
function nameMatcher(names: readonly string[]): (name: string) => boolean {
  const exact = new Set(names.filter((n) => !n.includes('*')));
  const globs = names
    .filter((n) => n.includes('*'))
    .map(
      (n) =>
        new RegExp(
          `^${n
            .split('*')
            .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('.*')}$`,
        ),
    );
  return (name) => exact.has(name) || globs.some((g) => g.test(name));
}

function isSensitive(resource: TerraformResource, attribute: string): boolean {
  const parts = attribute.split('.');
  for (let i = 1; i <= parts.length; i++) {
    if (resource.sensitive.has(parts.slice(0, i).join('.'))) return true;
  }
  return false;
}

function isEmptyContainer(value: JsonValue | undefined): boolean {
  return value !== null && typeof value === 'object' && Object.keys(value).length === 0;
}

function hasChildren(resource: TerraformResource, attribute: string): boolean {
  const prefix = `${attribute}.`;
  for (const key of resource.attributes.keys()) if (key.startsWith(prefix)) return true;
  return false;
}
