import { describe, expect, it } from 'vitest';
import { prng } from '../lib/prng.ts';
import { nextUpdate, type Offer, RatePacer } from './feed.ts';
import { SUPPLIERS } from './suppliers.ts';

describe('RatePacer', () => {
  it('emits the configured rate over time in 100 ms ticks', () => {
    const p = new RatePacer(250, 0);
    let sent = 0;
    for (let t = 100; t <= 10_000; t += 100) sent += p.due(t);
    expect(sent).toBeGreaterThanOrEqual(2_499);
    expect(sent).toBeLessThanOrEqual(2_500);
  });

  it('caps the backlog at one second after a stall', () => {
    const p = new RatePacer(100, 0);
    expect(p.due(60_000)).toBe(100);
  });

  it('follows rate changes and stops at 0', () => {
    const p = new RatePacer(100, 0);
    p.due(1_000);
    p.setRate(0);
    expect(p.due(2_000)).toBe(0);
    p.setRate(10);
    expect(p.due(3_000)).toBe(10);
  });

  it('carries no backlog over a restart', () => {
    const p = new RatePacer(100, 0);
    p.restart(60_000);
    expect(p.due(60_100)).toBe(10);
  });
});

describe('nextUpdate', () => {
  const offer = (): Offer => ({
    supplier: SUPPLIERS[1]!,
    offerId: 'o1',
    flightId: 'F1',
    amount: 100,
    version: 5,
  });

  it('increases versions strictly, even within one millisecond', () => {
    const o = offer();
    const rand = prng(1);
    const a = nextUpdate(o, 1_000_000, rand);
    const b = nextUpdate(o, 1_000_000, rand);
    expect(a.version).toBe(1_000_000);
    expect(b.version).toBe(1_000_001);
  });

  it('produces valid updates in the supplier currency that its own format round-trips', () => {
    const o = offer();
    const rand = prng(2);
    for (let i = 0; i < 200; i++) {
      const u = nextUpdate(o, 1_764_547_200_000 + i * 1000, rand);
      expect(u.currency).toBe('GBP');
      expect(u.amount).toBeGreaterThan(0);
      expect(o.supplier.decode(o.supplier.encode(u))).toEqual(u);
    }
  });
});
