/**
 * The supplier feed's rate is part of the load profile (profiles.ts `supplierFeedRate`). Ingest
 * starts at `INGEST_RATE` (system/contracts.ts ServiceEnv) and is re-targeted during a run with
 * `POST /v1/admin/feed-rate {ratePerSec}` on each instance. `rate` is the aggregate over all
 * instances; each instance gets its share.
 */
export interface FeedRateResult {
  url: string;
  ratePerSec: number;
  ok: boolean;
  status?: number;
  error?: string;
}

/** Aggregate `rate` msg/s split evenly over `n` instances (whole messages; remainder to the first). */
export function splitFeedRate(rate: number, n: number): number[] {
  if (n <= 0) return [];
  const each = Math.floor(rate / n);
  return Array.from({ length: n }, (_, i) => each + (i < rate - each * n ? 1 : 0));
}

/** Sets the feed rate on every ingest instance; never throws (a down instance is reported). */
export async function setSupplierFeedRate(
  ingestUrls: string[],
  rate: number,
  timeoutMs = 3000,
): Promise<FeedRateResult[]> {
  const shares = splitFeedRate(Math.max(0, Math.round(rate)), ingestUrls.length);
  return Promise.all(
    ingestUrls.map(async (url, i): Promise<FeedRateResult> => {
      const ratePerSec = shares[i] ?? 0;
      try {
        const res = await fetch(`${url}/v1/admin/feed-rate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ratePerSec }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        await res.arrayBuffer();
        return res.ok
          ? { url, ratePerSec, ok: true, status: res.status }
          : { url, ratePerSec, ok: false, status: res.status, error: `HTTP ${res.status}` };
      } catch (err) {
        return { url, ratePerSec, ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
}
