import { createHash } from 'node:crypto';
import { sleep } from '../lib/retry.ts';

/** Token that makes the simulated payment gateway decline (for tests). */
export const FAILING_PAYMENT_TOKEN = 'fail';

/**
 * Simulated payment gateway: `latencyMs` per call, declines with probability `failureRate` or
 * when the token is `fail`. Charges are idempotent per booking (payment id derived from it).
 */
export class PaymentGateway {
  constructor(
    private readonly failureRate: number,
    private readonly latencyMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  async charge(
    bookingId: string,
    amountEur: number,
    token: string,
  ): Promise<{ ok: true; paymentId: string } | { ok: false; reason: string }> {
    await sleep(this.latencyMs);
    if (token === FAILING_PAYMENT_TOKEN) return { ok: false, reason: 'payment declined (test token)' };
    if (this.random() < this.failureRate) return { ok: false, reason: 'payment declined by gateway' };
    if (!(amountEur > 0)) return { ok: false, reason: 'no price for flight' };
    return {
      ok: true,
      paymentId: `pay_${createHash('sha256').update(bookingId).digest('hex').slice(0, 16)}`,
    };
  }

  async refund(_paymentId: string): Promise<void> {
    await sleep(this.latencyMs / 2);
  }
}

/** PNR: six characters from an unambiguous alphabet, derived from the booking id. */
export function pnrFor(bookingId: string): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const h = createHash('sha256').update(bookingId).digest();
  return Array.from(h.subarray(0, 6), (b) => alphabet[b % alphabet.length]).join('');
}

/** Simulated airline confirmation API: latency and random failures. */
export class AirlineGateway {
  constructor(
    private readonly failureRate: number,
    private readonly latencyMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  async confirm(
    bookingId: string,
    _flightId: string,
    _seats: number,
  ): Promise<{ pnr: string; flightStatus: 'scheduled' }> {
    await sleep(this.latencyMs);
    if (this.random() < this.failureRate) throw new Error('airline confirmation API unavailable');
    return { pnr: pnrFor(bookingId), flightStatus: 'scheduled' };
  }
}
