/**
 * The one schema of `understudy.yaml`. The TypeScript types, the defaults, validation and the
 * published JSON Schema (`understudy.schema.json`) all come from it.
 */
import { z } from 'zod';
import { sections } from './schema-sections.js';
import { environmentName } from './schema-primitives.js';

/** Version of the configuration format; bumped only for incompatible changes. */
export const CONFIG_VERSION = 1;

export const configSchema = z
  .strictObject({
    $schema: z
      .string()
      .optional()
      .describe('Path or URL of understudy.schema.json, for editor completion.'),
    version: z
      .literal(CONFIG_VERSION)
      .default(CONFIG_VERSION)
      .describe('Configuration format version.'),
    project: z
      .string()
      .regex(/^[A-Za-z0-9][\w.-]*$/, 'must be letters, digits, ".", "-" or "_"')
      .describe('Name of the service this configuration is for.'),
    environments: z
      .record(environmentName, sections.environment)
      .refine((envs) => Object.keys(envs).length > 0, {
        message: 'declare at least one environment',
      })
      .describe('The environments of the service, by name (production, staging, …).'),
    parity: sections.parity.optional(),
    data: sections.data.optional(),
    traffic: sections.traffic.optional(),
    release: sections.release.optional(),
    reservations: sections.reservations.default({ default: '2h', max: '8h' }),
    notifications: sections.notifications.optional(),
    store: sections.store.default({ dir: '.understudy' }),
    server: sections.server.default({ listen: 4400, trustProxy: false }),
  })
  .superRefine((config, ctx) => {
    const declared = new Set(Object.keys(config.environments));
    const known = [...declared].join(', ');
    const requireEnv = (name: string, path: (string | number)[]): boolean => {
      if (declared.has(name)) return true;
      ctx.addIssue({
        code: 'custom',
        path,
        message: `no environment named "${name}" (declared: ${known})`,
      });
      return false;
    };
    if (config.parity !== undefined) {
      const ok =
        requireEnv(config.parity.env, ['parity', 'env']) &&
        requireEnv(config.parity.against, ['parity', 'against']);
      if (ok && config.parity.env === config.parity.against) {
        ctx.addIssue({
          code: 'custom',
          path: ['parity', 'against'],
          message: 'must name another environment than parity.env',
        });
      }
    }
    if (config.data !== undefined) {
      const ok =
        requireEnv(config.data.from, ['data', 'from']) &&
        requireEnv(config.data.to, ['data', 'to']);
      if (ok && config.data.from === config.data.to) {
        ctx.addIssue({
          code: 'custom',
          path: ['data', 'to'],
          message: 'must name another environment than data.from',
        });
      }
      if (ok && config.environments[config.data.to]?.protected === true) {
        ctx.addIssue({
          code: 'custom',
          path: ['data', 'to'],
          message: `"${config.data.to}" is protected: a data sync never writes to a protected environment`,
        });
      }
    }
    if (config.release !== undefined) {
      const { stages, ...gates } = config.release;
      stages.forEach((stage, i) => requireEnv(stage, ['release', 'stages', i]));
      if (new Set(stages).size !== stages.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['release', 'stages'],
          message: 'a stage is listed twice',
        });
      }
      for (const name of Object.keys(gates)) {
        if (!stages.includes(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['release', name],
            message: `"${name}" is not one of release.stages (${stages.join(', ')})`,
          });
        }
      }
    }
    const target = config.traffic?.replay?.target;
    if (target !== undefined && !/^https?:\/\//.test(target))
      requireEnv(target, ['traffic', 'replay', 'target']);
  })
  .describe('Understudy configuration (understudy.yaml).');

/** The configuration as written (defaults not yet applied). */
export type ConfigInput = z.input<typeof configSchema>;
/** The configuration after validation, with every default applied. */
export type Config = z.output<typeof configSchema>;
export type EnvironmentConfig = Config['environments'][string];
