import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, inject, it } from 'vitest';
import { waitFor } from '../lib/exec.ts';
import { REPO_ROOT } from '../lib/paths.ts';
import type { Readback, RunPlan } from '../lib/run-format.ts';
import { diffLedger } from '../reports/checks/ledger-diff.ts';
import type { RunData } from '../reports/checks/load-run.ts';
import { DEFAULT_API_KEY, PG_DATABASE, ROUTES } from '../system/contracts.ts';
import { componentsOf } from '../system/topology.ts';
import { catalogueEnv, DEFAULT_AIRPORTS, DEFAULT_DATES, discoverFlightIds } from './catalogue.ts';
import { parsePointLine } from './k6-points.ts';
import { keysOf, runLedger } from './ledger/ledger-client.ts';
import { connectPrimary, readBack } from './ledger/read-back.ts';
import { summariseLedger } from './ledger/summarise-ledger.ts';
import { k6OptionsFor } from './profiles.ts';
import { runK6 } from './run-k6.ts';

const { topology, edgeUrl } = inject('stack');
const pgHosts = componentsOf(topology, 'postgres').map((c) => `${c.host}:${c.ports.client}`);
const ingestUrls = topology.components
  .filter((c) => c.service === 'ingest')
  .map((c) => `http://${c.host}:${c.ports.http}`);

/** Every http_req_duration value (ms) in a run's gzipped points file. */
function rawDurations(pointsGz: string): number[] {
  const out: number[] = [];
  for (const line of gunzipSync(readFileSync(pointsGz)).toString('utf8').split('\n')) {
    const p = parsePointLine(line);
    if (p?.metric === 'http_req_duration') out.push(p.value);
  }
  return out;
}

describe('load generation against the real stack', () => {
  it("a 20 s run: folded per-tag counts equal k6 summary counts exactly, p95 within HDR precision of k6's, both checked against the raw samples", async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'ws-it-k6-'));
    const hints = { airports: DEFAULT_AIRPORTS, dates: DEFAULT_DATES };
    const flights = await discoverFlightIds(edgeUrl, hints, { max: 50 });
    expect(flights.length).toBeGreaterThan(0);
    const r = await runK6({
      script: join(REPO_ROOT, 'loadgen', 'k6', 'traffic.ts'),
      options: k6OptionsFor({ preset: 'baseline', durationSec: 20 }, 0.05),
      env: { WS_BASE_URL: edgeUrl, WS_API_KEY: DEFAULT_API_KEY, ...catalogueEnv(hints, flights) },
      outDir,
    });
    expect(r.k6).not.toBeNull();
    const k6 = r.k6!;
    const all = r.tags.find((t) => t.tag === '*')!;
    expect(all.count).toBe(k6.httpReqs);
    expect(all.count).toBeGreaterThan(500);
    for (const [endpoint, s] of Object.entries(k6.byEndpoint)) {
      expect(r.tags.find((t) => t.tag === endpoint)?.count ?? 0, endpoint).toBe(s.count);
    }
    // Both p95s are recomputed from the raw points k6 wrote. k6's is exact and interpolated at
    // rank 0.95 (n - 1); HDR's is the sample at rank ceil(0.95 n) to 3 significant digits. So k6's
    // must match its exact value, ours its sample within HDR precision, and the two may differ by
    // no more than the distance between those exact values plus that precision.
    const p95 = all.p95Ms!;
    const k6p95 = k6.p95Ms!;
    const sorted = rawDurations(r.files.points).sort((a, b) => a - b);
    const n = sorted.length;
    expect(n).toBe(k6.httpReqs);
    const rank = 0.95 * (n - 1);
    const lo = sorted[Math.floor(rank)]!;
    const k6Exact = lo + (sorted[Math.ceil(rank)]! - lo) * (rank - Math.floor(rank));
    const hdrExact = sorted[Math.ceil(0.95 * n) - 1]!;
    const precision = hdrExact * 0.001 + 0.001;
    expect(Math.abs(k6p95 - k6Exact)).toBeLessThan(0.005);
    expect(p95).toBeGreaterThanOrEqual(hdrExact - 0.001);
    expect(p95).toBeLessThanOrEqual(hdrExact + precision);
    expect(Math.abs(p95 - k6p95)).toBeLessThanOrEqual(Math.abs(hdrExact - k6Exact) + precision + 0.005);
    console.log(
      `k6: ${k6.httpReqs} requests, p95 ${k6p95.toFixed(2)} ms; folded: ${all.count}, p95 ${p95.toFixed(2)} ms; valid=${r.valid}`,
    );
  });

  it('the ledger finds every acknowledged write and no duplicates; a second row for one write is a duplicate, a deleted row exactly one lost write', async () => {
    const flights = await discoverFlightIds(
      edgeUrl,
      { airports: DEFAULT_AIRPORTS, dates: DEFAULT_DATES },
      { max: 30 },
    );
    const runId = `it-${Date.now()}`;
    const ops = await runLedger({
      edgeUrl,
      apiKey: DEFAULT_API_KEY,
      ingestUrls,
      reservationsPerSec: 5,
      fareUpdatesPerSec: 5,
      durationSec: 8,
      flightIds: flights,
      runId,
    });
    const acked = ops.filter((o) => o.type === 'ok');
    expect(acked.length).toBeGreaterThan(60);
    // Drain: the projection and the stream catch up before the store is read back.
    await waitFor(async () => {
      const res = await fetch(`${edgeUrl}${ROUTES.reservationProjection}`);
      const lag = (await res.json()) as { lagOffsets: number };
      return lag.lagOffsets === 0;
    }, 60_000);
    const keys = keysOf(ops);
    const pgCfg = { hosts: pgHosts, database: PG_DATABASE, user: 'postgres' };
    let readback: Readback | null = null;
    await waitFor(
      async () => {
        readback = await readBack(pgCfg, keys);
        return summariseLedger(ops, readback).lost.length === 0;
      },
      60_000,
      1000,
    );
    const healthy = summariseLedger(ops, readback!);
    expect(healthy.lost).toEqual([]);
    expect(healthy.duplicates).toEqual([]);

    // A second reservation for one operation (another key, the same ledger passenger), as a
    // service that ignored Idempotency-Key would make: the checker must name that operation.
    const twice = acked.filter((o) => o.kind === 'reservation')[1]!;
    const dup = await connectPrimary(pgCfg);
    await dup.client.query(
      `insert into reservations (reservation_id, idempotency_key, flight_id, seats, status, passenger_name)
       select gen_random_uuid()::text, idempotency_key || '-again', flight_id, seats, status, passenger_name
         from reservations where idempotency_key = $1`,
      [twice.key],
    );
    await dup.client.end();
    const doubled = summariseLedger(ops, await readBack(pgCfg, keys));
    expect(doubled.duplicates).toEqual([{ key: twice.key, count: 2 }]);
    expect(doubled.lost).toEqual([]);

    // Delete one acknowledged reservation from the durable store: the checker must name it.
    const victim = acked.find((o) => o.kind === 'reservation')!;
    const { client } = await connectPrimary(pgCfg);
    await client.query('delete from reservations where idempotency_key = $1', [victim.key]);
    await client.end();
    const damaged = await readBack(pgCfg, keys);
    const live = summariseLedger(ops, damaged);
    expect(live.lost.map((l) => l.key)).toEqual([victim.key]);
    const run: RunData = {
      runDir: '/nonexistent',
      plan: { phases: [], faults: [] } as unknown as RunPlan,
      scenario: null,
      environment: null,
      history: [],
      metrics: null,
      ledger: ops,
      readback: damaged,
      warnings: [],
    };
    const diff = diffLedger(run, ops, damaged);
    expect(diff.lost.map((l) => l.key)).toEqual([victim.key]);
  });
});
