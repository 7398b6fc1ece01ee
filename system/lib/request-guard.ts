import type { FastifyRequest } from 'fastify';
import { AUTH_HEADER } from '../contracts.ts';
import { authenticate } from './auth.ts';
import { HttpError } from './http-error.ts';
import type { Metrics } from './metrics.ts';
import type { RateLimiter } from './rate-limit.ts';

/** Write-endpoint guard: API key (401), then the per-client fixed-window limit (429). Returns the client id. */
export function createGuard(keys: readonly string[], limiter: RateLimiter, metrics: Metrics) {
  return async (req: FastifyRequest): Promise<string> => {
    const h = req.headers[AUTH_HEADER];
    const client = authenticate(Array.isArray(h) ? h[0] : h, keys);
    const d = await limiter.check(client);
    if (!d.allowed) {
      metrics.rateLimited.inc({ client });
      throw new HttpError(429, 'rate_limited', `rate limit exceeded (${d.count} in window)`, {
        'retry-after': String(d.resetSec),
      });
    }
    return client;
  };
}
