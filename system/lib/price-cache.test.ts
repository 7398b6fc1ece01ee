import { describe, expect, it } from 'vitest';
import { decodePrice } from './price-cache.ts';

describe('decodePrice', () => {
  it('reads a cached hash', () => {
    expect(
      decodePrice('F1', { amount: '12.5', currency: 'GBP', amountEur: '14.63', version: '7', revision: '3' }),
    ).toEqual({ flightId: 'F1', amount: 12.5, currency: 'GBP', amountEur: 14.63, version: 7, revision: 3 });
  });

  it('treats empty or corrupt hashes as misses', () => {
    expect(decodePrice('F1', {})).toBeNull();
    expect(decodePrice('F1', null)).toBeNull();
    expect(decodePrice('F1', { amount: 'x', revision: '1' })).toBeNull();
  });
});
