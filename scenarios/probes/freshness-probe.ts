import { randomUUID } from 'node:crypto';
import {
  type FareUpdate,
  type PriceResponse,
  SEARCH_INDEX,
  type SearchResponse,
} from '../../system/contracts.ts';
import { componentsOf, type Topology } from '../../system/topology.ts';
import type { Probe, ProbeResult } from './sampler.ts';

/** Supplier the freshness probe writes as; its offers are `ws-probe-<flightId>`. */
export const PROBE_SUPPLIER = 'ws-probe';
/** Scratch index for the refresh measurement; nothing of the system reads it. */
export const PROBE_INDEX = 'ws-probe-refresh';
/** A day the load does not search (loadgen's DEFAULT_DATES are 2026-12-01..04), so probe flights are its own. */
const PROBE_DATE = '2026-12-20';
const PROBE_ROUTES: [string, string][] = [
  ['LHR', 'JFK'],
  ['CDG', 'FRA'],
  ['AMS', 'MAD'],
  ['DXB', 'SIN'],
];

export interface FreshnessOptions {
  /** Default 5000: each measurement writes a fare and polls, so it runs less often than 1 Hz. */
  intervalMs?: number;
  /** Longest wait for a value to become visible, ms; past it the value is null (default 30000). */
  boundMs?: number;
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function getJson<T>(
  url: string,
  timeoutMs: number,
  init: RequestInit = {},
): Promise<{ status: number; body: T | null }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: T | null = null;
  try {
    body = text ? (JSON.parse(text) as T) : null;
  } catch {
    body = null;
  }
  return { status: res.status, body };
}

/**
 * The wait before the next poll of a value not yet visible `elapsedMs` after it was written: the
 * first interval, growing with the wait to a tenth of it (at most 1 s). The reading stays within
 * 10 % (or the first interval) of the truth, and a backlog of 30 s costs ~60 polls instead of 600:
 * the probe must not load what it measures.
 */
/** `index.refresh_interval` of `index` from a `GET <index>/_settings?include_defaults=true` answer. */
export function refreshIntervalOf(body: unknown, index: string): string | null {
  const at = (body as Record<string, { settings?: unknown; defaults?: unknown } | undefined> | null)?.[index];
  for (const part of [at?.settings, at?.defaults]) {
    const v = (part as { index?: { refresh_interval?: unknown } } | undefined)?.index?.refresh_interval;
    if (typeof v === 'string') return v;
  }
  return null;
}

export function pollDelayMs(elapsedMs: number, firstMs: number): number {
  return Math.max(firstMs, Math.min(1000, elapsedMs / 10));
}

/**
 * Freshness, every `intervalMs`, two measurements at once:
 *   ingestLagSec     a fare update 10 % below a flight's current best price is pushed to an
 *                    ingest instance (event time = when it is sent); seconds until the edge's
 *                    GET /v1/flights/:id/price answers that amount.
 *   indexRefreshSec  a document written (no refresh) into the scratch index PROBE_INDEX;
 *                    seconds from the write's acknowledgement until `_search` finds it (seed
 *                    000: "newly indexed documents searchable within 1 s"). The write itself
 *                    is reported beside it as indexWriteSec.
 * A value not visible within `boundMs` is null and the sample is ok=false.
 */
export function freshnessProbe(topology: Topology, opts: FreshnessOptions = {}): Probe {
  const edge = `http://${topology.edge.host}:${topology.edge.port}`;
  const ingest = topology.components
    .filter((c) => c.service === 'ingest')
    .map((c) => `http://${c.host}:${c.ports.http}`);
  const search = componentsOf(topology, 'opensearch').map((c) => `http://${c.host}:${c.ports.http}`);
  /** The node the refresh measurement talks to; the next one after a failure (AZ lost). */
  let searchAt = 0;
  const boundMs = opts.boundMs ?? 30_000;
  const pollMs = opts.pollMs ?? 100;
  let flights: string[] = [];
  let next = 0;
  let indexReady = false;
  /** HTTP requests of the observation under way (reported with its sample). */
  let requests = 0;
  const get: typeof getJson = (...args) => {
    requests++;
    return getJson(...args);
  };
  const send: typeof fetch = (...args) => {
    requests++;
    return fetch(...args);
  };

  async function discover(): Promise<void> {
    const found = new Set<string>();
    for (const [origin, destination] of PROBE_ROUTES) {
      try {
        const q = new URLSearchParams({ origin, destination, date: PROBE_DATE, limit: '20' });
        const r = await get<SearchResponse>(`${edge}/v1/search?${q}`, 2000);
        for (const f of r.body?.results ?? []) found.add(f.flightId);
      } catch {
        // try the next route
      }
    }
    flights = [...found];
  }

  async function ingestLag(): Promise<number> {
    if (flights.length === 0) await discover();
    const flightId = flights[next++ % Math.max(1, flights.length)];
    if (!flightId) throw new Error(`no flights found on ${PROBE_DATE} to write probe fares for`);
    const now = await get<PriceResponse>(`${edge}/v1/flights/${encodeURIComponent(flightId)}/price`, 2000);
    if (now.status !== 200 || !now.body) throw new Error(`price of ${flightId}: HTTP ${now.status}`);
    const amount = Math.max(0.01, Math.floor(now.body.amount * 90) / 100);
    const update: FareUpdate = {
      supplier: PROBE_SUPPLIER,
      offerId: `ws-probe-${flightId}`,
      flightId,
      amount,
      currency: now.body.currency,
      version: Date.now(),
      eventTime: new Date().toISOString(),
    };
    const sent = performance.now();
    let accepted = false;
    const errors: string[] = [];
    for (const url of ingest) {
      try {
        const r = await get(`${url}/v1/suppliers/${PROBE_SUPPLIER}/fares`, 3000, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(update),
        });
        if (r.status === 202 || r.status === 200) {
          accepted = true;
          break;
        }
        errors.push(`${url}: HTTP ${r.status}`);
      } catch (e) {
        errors.push(`${url}: ${errText(e)}`);
      }
    }
    if (!accepted) throw new Error(`no ingest instance accepted the probe fare (${errors.join('; ')})`);
    while (performance.now() - sent < boundMs) {
      try {
        const p = await get<PriceResponse>(`${edge}/v1/flights/${encodeURIComponent(flightId)}/price`, 2000);
        if (p.body && p.body.amount === amount && p.body.currency === update.currency)
          return (performance.now() - sent) / 1000;
      } catch {
        // keep polling until the bound
      }
      await sleep(pollDelayMs(performance.now() - sent, pollMs));
    }
    throw new Error(`probe fare for ${flightId} not visible in its price within ${boundMs / 1000} s`);
  }

  async function indexRefresh(): Promise<{ refreshSec: number; writeSec: number }> {
    const base = search[searchAt % Math.max(1, search.length)];
    if (!base) throw new Error('no OpenSearch node in the topology');
    try {
      return await indexRefreshAt(base);
    } catch (e) {
      searchAt++;
      throw e;
    }
  }

  async function indexRefreshAt(base: string): Promise<{ refreshSec: number; writeSec: number }> {
    if (!indexReady) {
      // The scratch index refreshes as often as the system's own index does (read from it, not
      // assumed), so the figure is what a search of `flights` would see.
      const live = await get<Record<string, { settings?: { index?: { refresh_interval?: string } } }>>(
        `${base}/${SEARCH_INDEX}/_settings/index.refresh_interval?include_defaults=true`,
        3000,
      );
      const refresh = refreshIntervalOf(live.body, SEARCH_INDEX);
      if (live.status !== 200 || refresh === null)
        throw new Error(`refresh_interval of ${SEARCH_INDEX}: HTTP ${live.status}`);
      const r = await send(`${base}/${PROBE_INDEX}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          // A copy in two AZs, like the system's index: one AZ lost, the probe still measures.
          settings: { number_of_shards: 1, number_of_replicas: 1, refresh_interval: refresh },
        }),
        signal: AbortSignal.timeout(3000),
      });
      await r.arrayBuffer();
      // 400 resource_already_exists: left by an earlier run, perhaps with another interval.
      if (!r.ok && r.status !== 400) throw new Error(`creating ${PROBE_INDEX}: HTTP ${r.status}`);
      if (r.status === 400) {
        const u = await send(`${base}/${PROBE_INDEX}/_settings`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ index: { refresh_interval: refresh } }),
          signal: AbortSignal.timeout(3000),
        });
        await u.arrayBuffer();
        if (!u.ok) throw new Error(`setting ${PROBE_INDEX}'s refresh_interval: HTTP ${u.status}`);
      }
      indexReady = true;
    }
    const id = randomUUID();
    const sent = performance.now();
    const w = await send(`${base}/${PROBE_INDEX}/_doc/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ marker: id, at: new Date().toISOString() }),
      signal: AbortSignal.timeout(3000),
    });
    await w.arrayBuffer();
    if (!w.ok) throw new Error(`write to ${PROBE_INDEX}: HTTP ${w.status}`);
    const written = performance.now();
    const writeSec = (written - sent) / 1000;
    while (performance.now() - written < boundMs) {
      try {
        const r = await get<{ hits?: { total?: { value?: number } } }>(
          `${base}/${PROBE_INDEX}/_search?q=marker:${id}&size=0`,
          2000,
        );
        if ((r.body?.hits?.total?.value ?? 0) > 0)
          return { refreshSec: (performance.now() - written) / 1000, writeSec };
      } catch {
        // keep polling until the bound
      }
      await sleep(pollDelayMs(performance.now() - written, Math.min(pollMs, 50)));
    }
    throw new Error(`scratch document not searchable within ${boundMs / 1000} s`);
  }

  const round = (s: number) => Math.round(s * 1000) / 1000;
  return {
    name: 'freshness',
    intervalMs: opts.intervalMs ?? 5000,
    sample: async (): Promise<ProbeResult> => {
      requests = 0;
      const [ing, idx] = await Promise.allSettled([ingestLag(), indexRefresh()]);
      const errors = [ing, idx].flatMap((r) => (r.status === 'rejected' ? [errText(r.reason)] : []));
      const data = {
        ingestLagSec: ing.status === 'fulfilled' ? round(ing.value) : null,
        indexRefreshSec: idx.status === 'fulfilled' ? round(idx.value.refreshSec) : null,
        indexWriteSec: idx.status === 'fulfilled' ? round(idx.value.writeSec) : null,
      };
      return errors.length === 0
        ? { ok: true, data, requests }
        : { ok: false, data, error: errors.join('; '), requests };
    },
  };
}
