/** The machine a benchmark ran on, as every benchmark's JSON line reports it. */
import os from 'node:os';

export interface Machine {
  readonly cpus: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly node: string;
  /** 1, 5 and 15 minute load averages when asked: other work shares the machine when above 1. */
  readonly loadAverage: readonly number[];
}

/** This machine, now. */
export function machine(): Machine {
  return {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
  };
}
