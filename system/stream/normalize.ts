import type { FareUpdate } from '../contracts.ts';
import { fareKey, fareUpdateSchema } from '../ingest/fare-update.ts';
import { toEur } from '../lib/currency.ts';

/** What the stream writes to `fares.normalized` and the sinks. */
export interface NormalizedFare extends FareUpdate {
  amountEur: number;
  airline: string;
  origin: string;
  destination: string;
  /** `price-jump` when the EUR price moved by more than x2 or /2 against the offer's last one. */
  anomaly: string | null;
  normalizedAt: string;
}

export interface FlightInfo {
  airline: string;
  origin: string;
  destination: string;
}

export type DropReason = 'malformed' | 'unknown-currency' | 'unknown-flight' | 'duplicate';

export interface RawRecord {
  key: string | null;
  value: string | null;
}

/** Committed per-offer state: last version seen and last EUR price (for anomaly detection). */
export class OfferState {
  private readonly versions = new Map<string, number>();
  private readonly prices = new Map<string, number>();

  constructor(private readonly capacity = 500_000) {}

  version(key: string): number | undefined {
    return this.versions.get(key);
  }

  price(key: string): number | undefined {
    return this.prices.get(key);
  }

  /** Applies a staged change after its batch committed. */
  apply(changes: Map<string, { version: number; amountEur: number }>): void {
    for (const [k, c] of changes) {
      this.versions.delete(k);
      this.versions.set(k, c.version);
      this.prices.delete(k);
      this.prices.set(k, c.amountEur);
    }
    while (this.versions.size > this.capacity) {
      const oldest = this.versions.keys().next().value;
      if (oldest === undefined) break;
      this.versions.delete(oldest);
      this.prices.delete(oldest);
    }
  }
}

export function isPriceJump(previousEur: number | undefined, eur: number): boolean {
  if (previousEur === undefined || previousEur <= 0) return false;
  const ratio = eur / previousEur;
  return ratio > 2 || ratio < 0.5;
}

/** Parses and canonicalises one record: trimmed ids, upper-case currency, amount to cents. */
export function parseFare(value: string | null): FareUpdate | null {
  if (!value) return null;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return null;
  }
  if (typeof json === 'object' && json !== null && 'currency' in json && typeof json.currency === 'string') {
    (json as { currency: string }).currency = json.currency.trim().toUpperCase();
  }
  const r = fareUpdateSchema.safeParse(json);
  if (!r.success) return null;
  return { ...r.data, amount: Math.round(r.data.amount * 100) / 100 };
}

export interface TransformResult {
  out: NormalizedFare[];
  dropped: Partial<Record<DropReason, number>>;
  /** State to apply once the batch is committed (never before: an aborted batch is re-read). */
  staged: Map<string, { version: number; amountEur: number }>;
}

/**
 * Normalise, enrich (route and airline from the catalogue), deduplicate (a version not above
 * the last seen for its offer is dropped) and flag price anomalies, for one partition's batch.
 */
export function transformBatch(
  records: RawRecord[],
  state: OfferState,
  flights: (flightId: string) => FlightInfo | null,
  now: Date,
): TransformResult {
  const out: NormalizedFare[] = [];
  const dropped: Partial<Record<DropReason, number>> = {};
  const staged = new Map<string, { version: number; amountEur: number }>();
  const drop = (r: DropReason) => {
    dropped[r] = (dropped[r] ?? 0) + 1;
  };
  for (const rec of records) {
    const u = parseFare(rec.value);
    if (!u) {
      drop('malformed');
      continue;
    }
    const amountEur = toEur(u.amount, u.currency);
    if (amountEur === null) {
      drop('unknown-currency');
      continue;
    }
    const info = flights(u.flightId);
    if (!info) {
      drop('unknown-flight');
      continue;
    }
    const key = fareKey(u);
    const seen = staged.get(key)?.version ?? state.version(key);
    if (seen !== undefined && u.version <= seen) {
      drop('duplicate');
      continue;
    }
    const previous = staged.get(key)?.amountEur ?? state.price(key);
    staged.set(key, { version: u.version, amountEur });
    out.push({
      ...u,
      amountEur,
      ...info,
      anomaly: isPriceJump(previous, amountEur) ? 'price-jump' : null,
      normalizedAt: now.toISOString(),
    });
  }
  return { out, dropped, staged };
}

/** Highest version per (supplier, offer): one row per key, as one SQL upsert needs. */
export function latestPerOffer<T extends FareUpdate>(fares: T[]): T[] {
  const best = new Map<string, T>();
  for (const f of fares) {
    const k = fareKey(f);
    const cur = best.get(k);
    if (!cur || f.version > cur.version) best.set(k, f);
  }
  return [...best.values()];
}
