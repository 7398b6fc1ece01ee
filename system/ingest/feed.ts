import type { FareUpdate } from '../contracts.ts';
import type { SupplierSpec } from './suppliers.ts';

/**
 * Token-bucket pacing for the simulated feed: `due(now)` says how many messages to emit now so
 * the long-run rate is `ratePerSec`; at most one second of backlog accumulates.
 */
export class RatePacer {
  private tokens = 0;
  private last: number;

  constructor(
    private rate: number,
    now: number,
  ) {
    this.last = now;
  }

  get ratePerSec(): number {
    return this.rate;
  }

  setRate(ratePerSec: number): void {
    this.rate = ratePerSec;
    this.tokens = Math.min(this.tokens, ratePerSec);
  }

  /** Starts counting afresh from `now` (the feed was stopped): no backlog from the pause. */
  restart(now: number): void {
    this.last = now;
    this.tokens = 0;
  }

  due(now: number): number {
    const dt = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.tokens + this.rate * dt, Math.max(this.rate, 1));
    const n = Math.floor(this.tokens);
    this.tokens -= n;
    return n;
  }
}

export interface Offer {
  supplier: SupplierSpec;
  offerId: string;
  flightId: string;
  amount: number;
  /** Last version emitted for this offer. */
  version: number;
}

/**
 * Next update of `offer`: a small random walk of the price, rarely a spike (the stream flags it),
 * sometimes availability. Versions are wall-clock milliseconds, bumped if needed, so they keep
 * increasing across restarts of the feed.
 */
export function nextUpdate(offer: Offer, now: number, rand: () => number): FareUpdate {
  const r = rand();
  const isSpike = r < 0.002 || r > 0.998;
  const factor = isSpike ? (r < 0.5 ? 0.3 : 3) : 1 + (rand() - 0.5) * 0.06;
  const amount = Math.max(1, Math.round(offer.amount * factor * 100) / 100);
  const version = Math.max(offer.version + 1, now);
  // Spikes are one-off quotes; the walk continues from the last normal price.
  if (!isSpike) offer.amount = amount;
  offer.version = version;
  const u: FareUpdate = {
    supplier: offer.supplier.name,
    offerId: offer.offerId,
    flightId: offer.flightId,
    amount,
    currency: offer.supplier.currency,
    version,
    eventTime: new Date(Math.floor(now / 1000) * 1000).toISOString(),
  };
  if (rand() < 0.3) u.seatsAvailable = Math.floor(rand() * 60);
  return u;
}
