/**
 * The platform's traffic, as k6 exec functions (one per scenario of loadgen/profiles.ts).
 * Exports NO `options`: the harness passes the scenarios with `--config` (an exported `options`
 * would silently override them). Every iteration issues exactly one HTTP request, tagged
 * `endpoint` = search | price | reserve | reservation-get | book.
 *
 * __ENV: WS_BASE_URL (edge, default http://127.0.0.1:18080), WS_API_KEY, WS_AIRPORTS
 * (comma-separated IATA codes), WS_DATES (comma-separated YYYY-MM-DD), WS_FLIGHT_IDS (optional
 * comma-separated ids; otherwise learned from search answers), WS_RUN_ID (prefix of idempotency
 * keys), WS_PAYMENT_TOKEN, WS_HTTP_TIMEOUT (k6 duration, default 10s).
 * Routes and headers: system/contracts.ts (duplicated here: k6 cannot import Node modules).
 */
import exec from 'k6/execution';
import http from 'k6/http';
import { Gauge } from 'k6/metrics';

const BASE = __ENV.WS_BASE_URL || 'http://127.0.0.1:18080';
const API_KEY = __ENV.WS_API_KEY || 'ws-local-key';
const AIRPORTS = list(__ENV.WS_AIRPORTS, ['LHR', 'JFK', 'CDG', 'FRA', 'AMS', 'MAD', 'DXB', 'SIN']);
const DATES = list(__ENV.WS_DATES, ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04']);
const RUN_ID = __ENV.WS_RUN_ID || `run${Date.now()}`;
const PAYMENT_TOKEN = __ENV.WS_PAYMENT_TOKEN || 'tok-ok';
const TIMEOUT = __ENV.WS_HTTP_TIMEOUT || '10s';
/** A reservation is read back no sooner than this after it was accepted (ms). */
const READ_AFTER_MS = 1000;

/** Epoch ms at which k6 started the scenarios; lets the folder align seconds to the schedule. */
const scheduleStart = new Gauge('ws_schedule_start');

/** Per-VU state (each VU is its own JS runtime). */
const flightIds: string[] = list(__ENV.WS_FLIGHT_IDS, []);
const pending: { id: string; at: number }[] = [];
let marked = false;

function list(v: string | undefined, fallback: string[]): string[] {
  const items = (v || '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return items.length > 0 ? items : fallback;
}

function pick<T>(xs: T[]): T {
  return xs[Math.floor(Math.random() * xs.length)] as T;
}

function mark(): void {
  if (marked) return;
  marked = true;
  scheduleStart.add(exec.scenario.startTime);
}

function searchUrl(): string {
  const origin = pick(AIRPORTS);
  let destination = pick(AIRPORTS);
  while (destination === origin && AIRPORTS.length > 1) destination = pick(AIRPORTS);
  return `${BASE}/v1/search?origin=${origin}&destination=${destination}&date=${pick(DATES)}&limit=20`;
}

/** One search; with `learn`, keeps the body and remembers flight ids for price/reserve/book. */
function doSearch(learn: boolean): void {
  const res = http.get(searchUrl(), {
    tags: { endpoint: 'search' },
    timeout: TIMEOUT,
    responseType: learn ? 'text' : 'none',
  });
  if (!learn || res.status !== 200 || typeof res.body !== 'string') return;
  try {
    const parsed = JSON.parse(res.body) as { results?: { flightId?: unknown }[] };
    for (const r of parsed.results ?? []) {
      if (typeof r.flightId === 'string' && flightIds.length < 200) flightIds.push(r.flightId);
    }
  } catch {
    // a non-JSON answer is counted by its status; nothing to learn
  }
}

function key(prefix: string): string {
  return `${RUN_ID}-${prefix}-${exec.vu.idInTest}-${exec.vu.iterationInInstance}`;
}

function authHeaders(idempotencyKey: string): Record<string, string> {
  return {
    authorization: `Bearer ${API_KEY}`,
    'idempotency-key': idempotencyKey,
    'content-type': 'application/json',
    'x-correlation-id': idempotencyKey,
  };
}

export function search(): void {
  mark();
  doSearch(false);
}

/** Price look-up of a known flight; a VU that knows none searches first (tagged `search`). */
export function price(): void {
  mark();
  if (flightIds.length === 0) {
    doSearch(true);
    return;
  }
  http.get(`${BASE}/v1/flights/${encodeURIComponent(pick(flightIds))}/price`, {
    tags: { endpoint: 'price' },
    timeout: TIMEOUT,
    responseType: 'none',
  });
}

/**
 * Reservation flow: POST a reservation (202 → remember its id), or, when one accepted at least
 * READ_AFTER_MS ago is pending, GET it back. 404 on the GET is expected while not projected.
 */
export function reservationFlow(): void {
  mark();
  if (flightIds.length === 0) {
    doSearch(true);
    return;
  }
  const due = pending[0];
  if (due !== undefined && Date.now() - due.at >= READ_AFTER_MS) {
    pending.shift();
    http.get(`${BASE}/v1/reservations/${encodeURIComponent(due.id)}`, {
      tags: { endpoint: 'reservation-get' },
      timeout: TIMEOUT,
      responseType: 'none',
      responseCallback: http.expectedStatuses({ min: 200, max: 399 }, 404),
    });
    return;
  }
  const k = key('r');
  const res = http.post(
    `${BASE}/v1/reservations`,
    JSON.stringify({ flightId: pick(flightIds), seats: 1, passenger: { name: `k6 ${k}` } }),
    { headers: authHeaders(k), tags: { endpoint: 'reserve' }, timeout: TIMEOUT, responseType: 'text' },
  );
  if (res.status !== 202 || typeof res.body !== 'string') return;
  try {
    const body = JSON.parse(res.body) as { reservationId?: unknown };
    if (typeof body.reservationId === 'string' && pending.length < 100)
      pending.push({ id: body.reservationId, at: Date.now() });
  } catch {
    // counted by status
  }
}

/** Booking flow: one POST /v1/bookings with a fresh idempotency key. */
export function bookingFlow(): void {
  mark();
  if (flightIds.length === 0) {
    doSearch(true);
    return;
  }
  const k = key('b');
  http.post(
    `${BASE}/v1/bookings`,
    JSON.stringify({
      flightId: pick(flightIds),
      seats: 1,
      passenger: { name: `k6 ${k}` },
      paymentToken: PAYMENT_TOKEN,
    }),
    { headers: authHeaders(k), tags: { endpoint: 'book' }, timeout: TIMEOUT, responseType: 'none' },
  );
}
