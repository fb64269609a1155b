/**
 * `understudy serve`: the HTTP API and the dashboard, until interrupted. Prints where it listens;
 * a port in use is exit 2. Ctrl-C (or SIGTERM) stops taking requests, lets running jobs finish
 * for up to 10 s, and exits 0.
 */
import { wholeNumber } from '../arguments.js';
import { ExitCode } from '../../shared/errors.js';
import type { CommandSpec } from '../main.js';

export const serveCommand: CommandSpec = {
  register(program, run) {
    program
      .command('serve')
      .description('serve the HTTP API and the dashboard (until interrupted)')
      .option('--host <host>', 'the address to listen on (default: server.listen, 127.0.0.1)')
      .option(
        '--port <port>',
        'the port (default: server.listen, 4400; 0 picks a free one)',
        wholeNumber(0),
      )
      .addHelpText(
        'after',
        '\nExit codes: 0 stopped by Ctrl-C or SIGTERM · 2 bad config or the port is in use · 4 the store is unusable',
      )
      .action((options: { host?: string; port?: number }) =>
        run('serve', async (ctx) => {
          const { startServer } = await import('../../server/serve.js');
          const server = await startServer({
            configFile: ctx.configFile,
            cwd: ctx.cwd,
            env: ctx.env,
            ...(options.host === undefined ? {} : { host: options.host }),
            ...(options.port === undefined ? {} : { port: options.port }),
            log: (line) => ctx.output.note(line),
          });
          ctx.output.document('serve', { ok: true, url: server.url });
          ctx.output.line(
            `understudy serve: dashboard at ${server.url}/ — API at ${server.url}/api/v1 (Ctrl-C stops)`,
          );
          await new Promise<void>((resolve) => {
            const stop = (): void => {
              process.off('SIGINT', stop);
              process.off('SIGTERM', stop);
              resolve();
            };
            process.on('SIGINT', stop);
            process.on('SIGTERM', stop);
          });
          ctx.output.note('understudy serve: stopping');
          await server.close();
          return ExitCode.ok;
        }),
      );
  },
};
