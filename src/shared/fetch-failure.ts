/**
 * Why a `fetch` failed, in a few words: `timed out` for an aborted timeout signal, else the
 * system's code (`ECONNREFUSED`) undici puts in `cause`, else the error's message.
 */
export function fetchFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  const cause = (error as { cause?: { code?: unknown } }).cause?.code;
  if (typeof cause === 'string') return cause;
  return error instanceof Error ? error.message : String(error);
}
