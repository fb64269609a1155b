/**
 * Starts a worker thread on a module beside the caller (`./mask-worker`, `./record-thread-worker`)
 * from the built JavaScript or, when running from the TypeScript sources (tests, tsx), from the
 * `.ts` file with the tsx loader registered first.
 */
import { Worker } from 'node:worker_threads';

/** `callerUrl` is the caller's `import.meta.url`; `name` the module's file name without extension. */
export function startModuleWorker(callerUrl: string, name: string, workerData: unknown): Worker {
  if (callerUrl.endsWith('.ts')) {
    const entry = new URL(`./${name}.ts`, callerUrl).href;
    const code = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(code, { eval: true, workerData });
  }
  return new Worker(new URL(`./${name}.js`, callerUrl), { workerData });
}
