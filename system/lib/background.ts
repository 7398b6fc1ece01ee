import type { FastifyBaseLogger } from 'fastify';
import { HttpError } from './http-error.ts';
import { sleep } from './retry.ts';

/** Runs `fn` until it succeeds (1 s .. 10 s backoff) or `stopped()`; for startup connections. */
export async function keepTrying(
  name: string,
  fn: () => Promise<void>,
  log: FastifyBaseLogger,
  stopped: () => boolean,
): Promise<boolean> {
  for (let attempt = 0; !stopped(); attempt++) {
    try {
      await fn();
      if (attempt > 0) log.info({ what: name }, 'connected after retries');
      return true;
    } catch (err) {
      log.warn({ what: name, attempt, err: String(err) }, 'not yet available, retrying');
      await sleep(Math.min(10_000, 1_000 * 2 ** Math.min(attempt, 4)));
    }
  }
  return false;
}

/**
 * Bounds how long a client waits for an acknowledgement. On timeout the write may still land:
 * the answer is 503 "outcome unknown", and a retry with the same key is safe.
 */
export async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => {
    timer = setTimeout(
      () =>
        rej(
          new HttpError(
            503,
            'ack_timeout',
            `${what} not acknowledged within ${ms} ms; outcome unknown, retry with the same key`,
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** Maps a failed produce to 503 (broker unavailable), keeping HttpErrors as they are. */
export function unavailable(err: unknown, what: string): HttpError {
  if (err instanceof HttpError) return err;
  return new HttpError(503, 'unavailable', `${what}: ${err instanceof Error ? err.message : String(err)}`, {
    'retry-after': '1',
  });
}
