import { sleep } from '../../chaos/run-fault.ts';
import { EXIT, WindshearError } from '../../lib/errors.ts';
import { StackObserver } from '../../lib/observe/stack-observer.ts';
import { DEFAULT_AIRPORTS, DEFAULT_DATES } from '../../loadgen/catalogue.ts';
import { AUTH_HEADER, DEFAULT_API_KEY, ROUTES, TOPICS } from '../../system/contracts.ts';
import type { Topology } from '../../system/topology.ts';

export const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Waits until the edge answers a search and every system topic's partitions have a leader. */
export async function waitReady(topology: Topology, signal: AbortSignal, boundMs: number): Promise<void> {
  const edge = `http://${topology.edge.host}:${topology.edge.port}`;
  const observer = new StackObserver(topology, 1500);
  const started = Date.now();
  let last = 'not asked yet';
  try {
    while (Date.now() - started < boundMs && !signal.aborted) {
      try {
        const res = await fetch(
          `${edge}${ROUTES.search}?origin=LHR&destination=JFK&date=2026-12-01&limit=1`,
          {
            signal: AbortSignal.timeout(2000),
          },
        );
        await res.arrayBuffer();
        const k = await observer.kafka(Object.values(TOPICS).map((t) => t.name));
        const leaderless = k.data?.partitions.filter((p) => p.leader === null).length ?? -1;
        if (res.ok && k.ok && leaderless === 0) return;
        last = `edge HTTP ${res.status}, kafka ${k.ok ? `${leaderless} partitions without leader` : k.error}`;
      } catch (e) {
        last = errText(e);
      }
      await sleep(1000, signal);
    }
  } finally {
    await observer.close();
  }
  if (signal.aborted) return;
  throw new WindshearError(
    {
      code: 'stack-not-ready',
      message: `the stack did not become ready within ${boundMs / 1000} s (${last})`,
      fix: 'check `windshear status` and `windshear logs <component>`; `windshear down && windshear up` starts afresh',
    },
    EXIT.internal,
  );
}

/** The `limit` ws-load puts on every search (loadgen/ws-load/main.go): warm-up asks the same URLs. */
const SEARCH_LIMIT = 20;

/**
 * Unmeasured warm-up before time zero: searches and prices through the edge from `workers`
 * concurrent loops, for `durationMs` (at most `maxRequests`), so the first measured seconds do
 * not pay for cold caches and JIT. Never throws.
 */
export async function warmUp(
  edge: string,
  flightIds: readonly string[],
  opts: { durationMs?: number; workers?: number; maxRequests?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const until = Date.now() + (opts.durationMs ?? 12_000);
  const max = opts.maxRequests ?? 2000;
  let sent = 0;
  let searches = 0;
  const pairs = DEFAULT_AIRPORTS.flatMap((o) =>
    DEFAULT_AIRPORTS.filter((d) => d !== o).map((d) => [o, d] as const),
  );
  const loop = async () => {
    while (Date.now() < until && sent < max && !opts.signal?.aborted) {
      const i = sent++;
      // Every (pair, date) search once before any repeats, in the load's own URL form: the edge
      // routes a search by its whole URI (consistent hash) and each replica caches per query.
      const k = i % 2 === 0 || flightIds.length === 0 ? searches++ : -1;
      const [o, d] = pairs[k % pairs.length] ?? ['LHR', 'JFK'];
      const date = DEFAULT_DATES[Math.floor(k / pairs.length) % DEFAULT_DATES.length];
      const flight = flightIds[i % Math.max(1, flightIds.length)];
      const url =
        k >= 0 || !flight
          ? `${edge}${ROUTES.search}?origin=${o}&destination=${d}&date=${date}&limit=${SEARCH_LIMIT}`
          : `${edge}/v1/flights/${encodeURIComponent(flight)}/price`;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
        await res.arrayBuffer();
      } catch {
        // warm-up only
      }
    }
  };
  await Promise.all(Array.from({ length: opts.workers ?? 4 }, loop));
  return sent;
}

/** POST /v1/reservations/dlq/replay through the edge; never throws. */
export async function dlqReplay(edge: string): Promise<string> {
  try {
    const res = await fetch(`${edge}${ROUTES.reservationDlqReplay}`, {
      method: 'POST',
      headers: { [AUTH_HEADER]: `Bearer ${DEFAULT_API_KEY}`, 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(30_000),
    });
    return `dlq-replay: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`;
  } catch (e) {
    return `dlq-replay failed: ${errText(e)}`;
  }
}
