/**
 * The infrastructure probe: reads each environment's `terraform show -json` output (the file named
 * by `environments.NAME.infrastructure.terraform`) and compares the two. Not configured on either
 * side → `skipped`; configured on one side only → `skipped`, naming the side that lacks it; a file
 * missing or not Terraform JSON → `failed`, naming the environment and the file.
 */
import { randomBytes } from 'node:crypto';
import { messageOf } from '../shared/errors.js';
import { readSourceFile } from './config-sources.js';
import type { ProbeResult } from './drift.js';
import {
  diffInfrastructure,
  parseTerraformShow,
  type TerraformResources,
} from './infrastructure-diff.js';

/** One side of the comparison: the Terraform JSON file, when the environment declares one. */
export interface InfrastructureProbeEnvironment {
  readonly name: string;
  /** Path relative to `dir`, as written in understudy.yaml. */
  readonly file?: string | undefined;
}

/** The two environments' Terraform files, and how to compare them. */
export interface InfrastructureProbeInput {
  readonly env: InfrastructureProbeEnvironment;
  readonly against: InfrastructureProbeEnvironment;
  /** Directory of understudy.yaml. */
  readonly dir: string;
  /** The run's key for sensitive attributes (a fresh random one by default). */
  readonly secretKey?: Buffer;
  /** Attribute names ignored (default: `ignoredInfrastructureAttributes`). */
  readonly ignore?: readonly string[];
}

/** Compares the infrastructure of `env` with `against`; never throws. */
export async function runInfrastructureProbe(
  input: InfrastructureProbeInput,
): Promise<ProbeResult> {
  const sides = [input.env, input.against];
  const lacking = sides.filter((e) => e.file === undefined).map((e) => e.name);
  if (lacking.length > 0) {
    const reason =
      lacking.length === 2
        ? 'no environment declares infrastructure (environments.NAME.infrastructure.terraform)'
        : `${lacking[0]} declares no infrastructure (environments.${lacking[0]}.infrastructure.terraform), ` +
          `so there is nothing to compare ${sides.find((e) => e.file !== undefined)?.name} with`;
    return { probe: 'infrastructure', status: 'skipped', reason, compared: 0, differences: [] };
  }

  const read = async (e: InfrastructureProbeEnvironment): Promise<TerraformResources> =>
    parseTerraformShow(await readSourceFile(e.file!, input.dir), e.file!);
  const outcomes = await Promise.allSettled(sides.map(read));
  const failures = outcomes.flatMap((outcome, i) =>
    outcome.status === 'rejected' ? [`${sides[i]!.name}: ${messageOf(outcome.reason)}`] : [],
  );
  const [envRead, againstRead] = outcomes;
  if (
    failures.length > 0 ||
    envRead?.status !== 'fulfilled' ||
    againstRead?.status !== 'fulfilled'
  ) {
    return {
      probe: 'infrastructure',
      status: 'failed',
      reason: failures.join('; '),
      unreachable: false,
      compared: 0,
      differences: [],
    };
  }

  const diff = diffInfrastructure(envRead.value, againstRead.value, {
    secretKey: input.secretKey ?? randomBytes(32),
    names: { env: input.env.name, against: input.against.name },
    ...(input.ignore === undefined ? {} : { ignore: input.ignore }),
  });
  return {
    probe: 'infrastructure',
    status: 'compared',
    compared: diff.compared,
    differences: diff.differences,
    facts: {
      envResources: envRead.value.size,
      againstResources: againstRead.value.size,
      ignoredAttributes: diff.ignored,
    },
  };
}
