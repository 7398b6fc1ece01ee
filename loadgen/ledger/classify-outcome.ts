/**
 * What a write's outcome tells us about the store (Jepsen's ok / fail / info):
 *   ok       the system acknowledged it (2xx): it must be durable.
 *   fail     it certainly did not happen: a 4xx rejection, or the connection was refused so
 *            nothing was sent.
 *   unknown  it may or may not have happened: a timeout or reset after sending, or a 5xx (the
 *            service may have produced the command before failing).
 */
export type Outcome = 'ok' | 'fail' | 'unknown';

/** Socket errors raised before any byte of the request left this host. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'EAI_AGAIN',
]);

export function outcomeOfStatus(status: number): Outcome {
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 400 && status < 500 && status !== 408) return 'fail';
  return 'unknown';
}

/** The error code of a fetch failure: undici puts the socket error in `cause`. */
export function errorCode(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'TIMEOUT';
    const cause = (err as Error & { cause?: unknown }).cause;
    if (cause && typeof cause === 'object') {
      const code = (cause as { code?: unknown }).code;
      if (typeof code === 'string') return code;
      if (cause instanceof Error) return errorCode(cause);
    }
    const own = (err as Error & { code?: unknown }).code;
    if (typeof own === 'string') return own;
    return err.name;
  }
  return 'UNKNOWN';
}

export function outcomeOfError(err: unknown): Outcome {
  return NOT_SENT.has(errorCode(err)) ? 'fail' : 'unknown';
}
