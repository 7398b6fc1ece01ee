import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './http-error.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Checks `Authorization: Bearer <key>` against the accepted keys (constant-time compare).
 * Returns a short, non-secret client id for rate limiting and metrics.
 */
export function authenticate(header: string | undefined, keys: readonly string[]): string {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m?.[1])
    throw new HttpError(401, 'unauthorized', 'missing or malformed Authorization: Bearer <api key>');
  const given = digest(m[1]);
  if (!keys.some((k) => timingSafeEqual(digest(k), given))) {
    throw new HttpError(401, 'unauthorized', 'unknown API key');
  }
  return given.toString('hex').slice(0, 12);
}
