import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../lib/exec.ts';
import type { Readback, RunPlan } from '../lib/run-format.ts';
import { diffLedger } from '../reports/checks/ledger-diff.ts';
import type { RunData } from '../reports/checks/load-run.ts';
import { DEFAULT_API_KEY, PG_DATABASE, ROUTES } from '../system/contracts.ts';
import { componentsOf } from '../system/topology.ts';
import { DEFAULT_AIRPORTS, DEFAULT_DATES, discoverFlightIds } from './catalogue.ts';
import { wsLoadEngine } from './engines/ws-load-engine.ts';
import { keysOf, runLedger } from './ledger/ledger-client.ts';
import { connectPrimary, readBack } from './ledger/read-back.ts';
import { summariseLedger } from './ledger/summarise-ledger.ts';
import { loadPlanFor } from './profiles.ts';
import { latencyUs, parseRecordLine, type RequestRecord } from './request-record.ts';
import { runLoad } from './run-load.ts';

const { topology, edgeUrl } = inject('stack');
const pgHosts = componentsOf(topology, 'postgres').map((c) => `${c.host}:${c.ports.client}`);
const ingestUrls = topology.components
  .filter((c) => c.service === 'ingest')
  .map((c) => `http://${c.host}:${c.ports.http}`);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Every record in a run's gzipped records file. */
function rawRecords(gz: string): RequestRecord[] {
  const out: RequestRecord[] = [];
  for (const line of gunzipSync(readFileSync(gz)).toString('utf8').split('\n')) {
    const r = parseRecordLine(line);
    if (r) out.push(r);
  }
  return out;
}

describe('load generation against the real stack', () => {
  it("a 20 s ws-load run: per-endpoint counts equal the engine's own totals exactly, p95 equals an exact recomputation from the raw records within HDR precision", async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'ws-it-load-'));
    dirs.push(outDir);
    const hints = { airports: DEFAULT_AIRPORTS, dates: DEFAULT_DATES };
    const flights = await discoverFlightIds(edgeUrl, hints, { max: 50 });
    expect(flights.length).toBeGreaterThan(0);
    const plan = loadPlanFor({ preset: 'baseline', durationSec: 20 }, 0.05);
    const r = await runLoad({
      engine: wsLoadEngine,
      plan,
      target: {
        baseUrl: edgeUrl,
        apiKey: DEFAULT_API_KEY,
        runId: `it-${Date.now()}`,
        ...hints,
        flightIds: flights,
      },
      outDir,
    });
    const all = r.tags.find((t) => t.tag === '*')!;
    // The engine's own accounting: arrivals sent per flow (reservation = reserve + reservation-get).
    const engineSent = r.intended - r.unsent;
    expect(all.count).toBe(engineSent);
    expect(r.unsent).toBe(0);
    expect(all.count).toBe(plan.flows.reduce((a, f) => a + f.startRate * 20, 0));
    const count = (tag: string) => r.tags.find((t) => t.tag === tag)?.count ?? 0;
    const flow = (name: string) => plan.flows.find((f) => f.name === name)!.startRate * 20;
    expect(count('search')).toBe(flow('search'));
    expect(count('price')).toBe(flow('price'));
    expect(count('reserve') + count('reservation-get')).toBe(flow('reservation'));
    expect(count('book')).toBe(flow('booking'));
    const records = rawRecords(r.files.requests);
    expect(records.length).toBe(all.count);
    for (const tag of ['search', 'price', 'book'])
      expect(records.filter((x) => x.endpoint === tag).length).toBe(count(tag));
    // p95 from the raw records, exactly: HDR's p95 is the sample at rank ceil(0.95 n), to 3 digits.
    const sorted = records.map((x) => latencyUs(x) / 1000).sort((a, b) => a - b);
    const exact = sorted[Math.ceil(0.95 * sorted.length) - 1]!;
    const p95 = all.p95Ms!;
    expect(p95).toBeGreaterThanOrEqual(exact - 0.001);
    expect(p95).toBeLessThanOrEqual(exact * 1.001 + 0.001);
    expect(r.valid, r.reason).toBe(true);
    console.log(
      `ws-load: ${all.count} requests (${r.intended} intended, ${r.unsent} unsent, ${r.late} late), p95 ${p95.toFixed(2)} ms (exact ${exact.toFixed(2)}), send lag p99 ${r.lagP99Ms} ms, CPU ${r.engineCpuSec} s`,
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
