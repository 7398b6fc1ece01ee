import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { LedgerOp, LedgerOpKind } from '../../lib/run-format.ts';
import type { JsonlSink } from '../../lib/run-store/jsonl-sink.ts';
import type { FareUpdate, ReservationAccepted } from '../../system/contracts.ts';
import { AUTH_HEADER, CORRELATION_HEADER, IDEMPOTENCY_HEADER } from '../../system/contracts.ts';
import { errorCode, type Outcome, outcomeOfError, outcomeOfStatus } from './classify-outcome.ts';
import { ledgerPassenger } from './read-back.ts';

/**
 * The ledger client: checkable writes at a steady rate, each recorded as `invoke` then exactly
 * one of `ok` / `fail` / `unknown` (LedgerOp), appended to ledger.jsonl as they happen.
 *   reservations  POST /v1/reservations through the edge, a unique Idempotency-Key each.
 *   fare updates  POST /v1/suppliers/:supplier/fares on an ingest instance (each offer has its
 *                 own first instance, spreading offers over the AZs), versions increasing per
 *                 `supplier:offer`; on anything but ok/4xx the same update (same version, so
 *                 idempotent) goes to the next ingest instance.
 * Open model: writes start on schedule whether or not earlier ones finished. Bounded by
 * `durationSec`, `maxOps` and `timeoutMs`; it stops by itself.
 */
export interface LedgerConfig {
  edgeUrl: string;
  apiKey: string;
  /** Base URLs of the ingest instances, tried in order. */
  ingestUrls: string[];
  reservationsPerSec: number;
  fareUpdatesPerSec: number;
  durationSec: number;
  /** Upper bound on writes of each kind (default: rate × duration). */
  maxOps?: number;
  /** Flights to reserve seats on (one seat each). */
  flightIds: string[];
  /** Prefix of idempotency keys and offer ids; unique per run. */
  runId: string;
  supplier?: string;
  /**
   * Distinct offers the fare updates cycle through. Default: every update is its own offer, so
   * the read-back (the highest stored version per offer) confirms each acknowledged update on its
   * own. With cycling offers a lost update is masked by a later version of the same offer.
   */
  offers?: number;
  /** Per-request timeout in ms; a timeout after sending is `unknown`. */
  timeoutMs?: number;
  /** `performance.now()` of run start (RunMs 0); default: when runLedger is called. */
  runStartPerfMs?: number;
  /** The run's ledger.jsonl (lib/run-store `openJsonl`), closed when the ledger ends; ops are also passed to `onOp`. */
  out?: JsonlSink<LedgerOp>;
  onOp?: (op: LedgerOp) => void;
  signal?: AbortSignal;
}

export const LEDGER_SUPPLIER = 'ws-ledger';

type Attempt = { outcome: Outcome; status?: number; error?: string; body?: unknown };

async function post(url: string, body: unknown, headers: Record<string, string>, timeoutMs: number) {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    const outcome = outcomeOfStatus(res.status);
    const a: Attempt = { outcome, status: res.status, body: parsed };
    if (outcome !== 'ok') a.error = `HTTP ${res.status}`;
    return a;
  } catch (err) {
    return { outcome: outcomeOfError(err), error: errorCode(err) } satisfies Attempt;
  }
}

/** Steady schedule: op `i` of a kind starts at `i / rate` seconds. */
export function scheduleMs(i: number, ratePerSec: number): number {
  return (i * 1000) / ratePerSec;
}

export function opsFor(ratePerSec: number, durationSec: number, maxOps?: number): number {
  if (!(ratePerSec > 0)) return 0;
  const n = Math.floor(ratePerSec * durationSec);
  return maxOps === undefined ? n : Math.min(n, maxOps);
}

/** Combines failover attempts: ok if one was; else unknown if any may have applied; else fail. */
export function combineAttempts(attempts: Attempt[]): Attempt {
  const ok = attempts.find((a) => a.outcome === 'ok');
  if (ok) return ok;
  const unknown = attempts.find((a) => a.outcome === 'unknown');
  const errors = attempts.map((a) => a.error ?? `HTTP ${a.status}`).join(', ');
  return { outcome: unknown ? 'unknown' : 'fail', error: errors };
}

export async function runLedger(cfg: LedgerConfig): Promise<LedgerOp[]> {
  const start = cfg.runStartPerfMs ?? performance.now();
  const timeoutMs = cfg.timeoutMs ?? 5000;
  const supplier = cfg.supplier ?? LEDGER_SUPPLIER;
  const offers = cfg.offers === undefined ? Number.POSITIVE_INFINITY : Math.max(1, cfg.offers);
  const ops: LedgerOp[] = [];
  const file = cfg.out ?? null;
  const record = (op: LedgerOp) => {
    ops.push(op);
    file?.append(op);
    cfg.onOp?.(op);
  };
  const stamp = () => ({ t: performance.now() - start, wall: new Date().toISOString() });
  const begin = performance.now();

  const complete = (base: { id: string; kind: LedgerOpKind; key: string; version?: number }, a: Attempt) => {
    const op: LedgerOp = { ...base, type: a.outcome, ...stamp() };
    if (a.error) op.error = a.error;
    if (a.outcome === 'ok' && a.body && typeof a.body === 'object') {
      // Both answers carry where the write landed: reservations and fare updates (ingest's 202).
      const b = a.body as Partial<ReservationAccepted>;
      op.result = {
        ...(typeof b.reservationId === 'string' ? { reservationId: b.reservationId } : {}),
        ...(typeof b.partition === 'number' ? { partition: b.partition } : {}),
        ...(typeof b.offset === 'string' ? { offset: b.offset } : {}),
      };
    }
    record(op);
  };

  const reservation = async (i: number) => {
    const flightId = cfg.flightIds[i % cfg.flightIds.length] ?? 'unknown-flight';
    const key = `${cfg.runId}-res-${i}`;
    const base = { id: randomUUID(), kind: 'reservation' as const, key };
    record({ ...base, type: 'invoke', ...stamp() });
    const a = await post(
      `${cfg.edgeUrl}/v1/reservations`,
      { flightId, seats: 1, passenger: { name: ledgerPassenger(key) } },
      {
        [AUTH_HEADER]: `Bearer ${cfg.apiKey}`,
        [IDEMPOTENCY_HEADER]: key,
        [CORRELATION_HEADER]: key,
      },
      timeoutMs,
    );
    complete(base, a);
  };

  const fareUpdate = async (i: number) => {
    const offerId = `${cfg.runId}-offer-${i % offers}`;
    const version = Math.floor(i / offers) + 1;
    const key = `${supplier}:${offerId}`;
    const base = { id: randomUUID(), kind: 'fare-update' as const, key, version };
    const update: FareUpdate = {
      supplier,
      offerId,
      flightId: cfg.flightIds[i % Math.max(1, cfg.flightIds.length)] ?? 'unknown-flight',
      amount: 100 + (i % 400),
      currency: 'EUR',
      version,
      eventTime: new Date().toISOString(),
    };
    record({ ...base, type: 'invoke', ...stamp() });
    const attempts: Attempt[] = [];
    // Suppliers are spread over the AZs: each offer starts at its own ingest instance, then the
    // next ones on failure (as a supplier's client would), so every AZ's ingest is exercised.
    const n = cfg.ingestUrls.length;
    const first = (i % offers) % n;
    const order = [...cfg.ingestUrls.slice(first), ...cfg.ingestUrls.slice(0, first)];
    for (const url of order) {
      const a = await post(
        `${url}/v1/suppliers/${encodeURIComponent(supplier)}/fares`,
        update,
        { [CORRELATION_HEADER]: `${key}@${version}` },
        timeoutMs,
      );
      attempts.push(a);
      if (a.outcome === 'ok' || (a.outcome === 'fail' && a.status !== undefined)) break;
      if (cfg.signal?.aborted) break;
    }
    complete(base, attempts.length ? combineAttempts(attempts) : { outcome: 'fail', error: 'no ingest' });
  };

  const drive = async (n: number, rate: number, one: (i: number) => Promise<void>) => {
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      if (cfg.signal?.aborted) break;
      const wait = begin + scheduleMs(i, rate) - performance.now();
      if (wait > 0) await sleep(wait, cfg.signal);
      if (cfg.signal?.aborted) break;
      inFlight.push(one(i));
    }
    await Promise.all(inFlight);
  };

  try {
    await Promise.all([
      cfg.flightIds.length > 0
        ? drive(
            opsFor(cfg.reservationsPerSec, cfg.durationSec, cfg.maxOps),
            cfg.reservationsPerSec,
            reservation,
          )
        : Promise.resolve(),
      cfg.ingestUrls.length > 0
        ? drive(opsFor(cfg.fareUpdatesPerSec, cfg.durationSec, cfg.maxOps), cfg.fareUpdatesPerSec, fareUpdate)
        : Promise.resolve(),
    ]);
  } finally {
    if (file) await file.close();
  }
  return ops;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Idempotency keys and fare keys a ledger wrote, for readBack. */
export function keysOf(ops: LedgerOp[]): { reservations: string[]; fares: string[] } {
  const r = new Set<string>();
  const f = new Set<string>();
  for (const op of ops) {
    if (op.type !== 'invoke') continue;
    (op.kind === 'reservation' ? r : f).add(op.key);
  }
  return { reservations: [...r], fares: [...f] };
}
