import { describe, expect, it } from 'vitest';
import { isConnectionError, isRetryablePgError, NoPrimaryError } from './pg-pool.ts';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('pg error classification', () => {
  it('treats network errors, shutdowns and a demoted primary as connection errors', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '57P01', '25006', '08006']) {
      expect(isConnectionError(withCode(code)), code).toBe(true);
    }
    expect(isConnectionError(new Error('Query read timeout'))).toBe(true);
    expect(isConnectionError(new NoPrimaryError('none'))).toBe(true);
  });

  it('does not rediscover on data errors, but retries serialization failures', () => {
    expect(isConnectionError(withCode('23505'))).toBe(false);
    expect(isRetryablePgError(withCode('23505'))).toBe(false);
    expect(isConnectionError(withCode('40001'))).toBe(false);
    expect(isRetryablePgError(withCode('40001'))).toBe(true);
  });
});
