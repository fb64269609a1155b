/** `understudy schema`: prints the JSON Schema of understudy.yaml (the same as understudy.schema.json). */
import { configJsonSchemaText } from '../../config/config-json-schema.js';
import { ExitCode } from '../../shared/errors.js';
import type { CommandSpec } from '../main.js';

export const schemaCommand: CommandSpec = {
  register(program, run) {
    program
      .command('schema')
      .description('print the JSON Schema of understudy.yaml, for editors and CI')
      .action(() =>
        run('schema', (ctx) => {
          // The schema is JSON already: printed as is with or without --json.
          ctx.output.raw(configJsonSchemaText());
          return Promise.resolve(ExitCode.ok);
        }),
      );
  },
};
