import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { PG_DATABASE } from '../contracts.ts';
import { SearchClient } from '../lib/opensearch.ts';
import { FailoverPool } from '../lib/pg-pool.ts';
import { type CachedPrice, type FlightPriceRow, toCachedPrice, writePrices } from '../lib/price-cache.ts';
import { createRedis, parseHostPort } from '../lib/redis.ts';
import { type Catalogue, generateCatalogue } from './generate-catalogue.ts';
import { INDEX_BODY, INDEX_NAME, toFlightDoc } from './search-index.ts';

export interface LoadCatalogueOptions {
  /** `host:port` of every PostgreSQL node; the primary is found by probing. */
  pgHosts: string[];
  pgDatabase?: string;
  pgUser?: string;
  pgPassword?: string;
  /** One or more OpenSearch base URLs. */
  opensearchUrl: string | string[];
  /** When given, the price cache is warmed (TTL 60 s, so only useful right before load). */
  redis?: { sentinels: string[]; masterName: string };
  seed: number;
  startDate?: string;
  days?: number;
  log?: (msg: string) => void;
  /** Load only one store (each can start as soon as its own server is ready); default both. */
  only?: 'postgres' | 'index';
}

export interface LoadSummary {
  flights: number;
  fares: number;
  /** False when the catalogue was already there (rows are inserted with ON CONFLICT DO NOTHING). */
  indexCreated: boolean;
}

const CHUNK = 5_000;
const SCHEMA_FILE = new URL('../db/schema.sql', import.meta.url);

/** Creates the database if missing (connects to `postgres` on the primary). */
async function ensureDatabase(opts: LoadCatalogueOptions, database: string): Promise<void> {
  const problems: string[] = [];
  for (const hp of opts.pgHosts) {
    const { host, port } = parseHostPort(hp, 5432);
    const c = new pg.Client({
      host,
      port,
      user: opts.pgUser ?? 'postgres',
      password: opts.pgPassword,
      database: 'postgres',
      connectionTimeoutMillis: 3_000,
    });
    c.on('error', () => undefined);
    try {
      await c.connect();
      const rec = await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
      if (rec.rows[0]?.r) {
        problems.push(`${hp}: standby`);
        continue;
      }
      const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) await c.query(`CREATE DATABASE "${database.replaceAll('"', '')}"`);
      return;
    } catch (err) {
      problems.push(`${hp}: ${String(err)}`);
    } finally {
      await c.end().catch(() => undefined);
    }
  }
  throw new Error(`cannot create database ${database} on a primary: ${problems.join('; ')}`);
}

function chunks<T>(xs: T[], n = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

async function loadPostgres(pool: FailoverPool, cat: Catalogue): Promise<void> {
  await pool.query(await readFile(SCHEMA_FILE, 'utf8'));
  await pool.query(
    'INSERT INTO airports (code, city, country) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING',
    [cat.airports.map((a) => a.code), cat.airports.map((a) => a.city), cat.airports.map((a) => a.country)],
  );
  await pool.query(
    'INSERT INTO airlines (code, name) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING',
    [cat.airlines.map((a) => a.code), cat.airlines.map((a) => a.name)],
  );
  for (const c of chunks(cat.flights)) {
    await pool.query(
      `INSERT INTO flights (flight_id, airline, flight_number, origin, destination, departure, arrival, stops)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::int[])
       ON CONFLICT DO NOTHING`,
      [
        c.map((f) => f.flightId),
        c.map((f) => f.airline),
        c.map((f) => f.flightNumber),
        c.map((f) => f.origin),
        c.map((f) => f.destination),
        c.map((f) => f.departure),
        c.map((f) => f.arrival),
        c.map((f) => f.stops),
      ],
    );
    await pool.query(
      `INSERT INTO inventory (flight_id, capacity, sold, version) SELECT f, c, 0, 0 FROM unnest($1::text[], $2::int[]) AS t(f, c)
       ON CONFLICT DO NOTHING`,
      [c.map((f) => f.flightId), c.map((f) => f.capacity)],
    );
  }
  for (const c of chunks(cat.fares)) {
    await pool.query(
      `INSERT INTO fares (supplier, offer_id, flight_id, amount, currency, amount_eur, version, event_time)
       SELECT s, o, f, a, cu, e, v, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::text[], $6::numeric[], $7::bigint[])
         AS t(s, o, f, a, cu, e, v)
       ON CONFLICT DO NOTHING`,
      [
        c.map((f) => f.supplier),
        c.map((f) => f.offerId),
        c.map((f) => f.flightId),
        c.map((f) => f.amount),
        c.map((f) => f.currency),
        c.map((f) => f.amountEur),
        c.map((f) => f.version),
      ],
    );
  }
  await pool.query(`
    INSERT INTO flight_prices (flight_id, amount, currency, amount_eur, supplier, offer_id, version, revision)
    SELECT DISTINCT ON (flight_id) flight_id, amount, currency, amount_eur, supplier, offer_id, version, 1
    FROM fares ORDER BY flight_id, amount_eur, supplier, offer_id
    ON CONFLICT DO NOTHING`);
}

async function loadIndex(os: SearchClient, cat: Catalogue): Promise<boolean> {
  let created = false;
  // With `ignore: [404]` a missing index resolves with OpenSearch's error body (status 404).
  const probe = await os.request('GET', `/${INDEX_NAME}`, undefined, { ignore: [404] });
  const missing = typeof probe === 'object' && probe !== null && 'status' in probe && probe.status === 404;
  if (missing) {
    // Loaded without a replica and without periodic refreshes, then given its replica in one
    // file copy: indexing every document twice on a 2-core machine made the load 2-3 times longer.
    const body = {
      ...INDEX_BODY,
      settings: { ...INDEX_BODY.settings, number_of_replicas: 0, refresh_interval: '-1' },
    };
    await os.request('PUT', `/${INDEX_NAME}`, body as unknown as Record<string, unknown>, {
      timeoutMs: 30_000,
    });
    created = true;
  }
  for (const c of chunks(cat.flights, 2_000)) {
    const bulk: Record<string, unknown>[] = [];
    for (const f of c) {
      bulk.push({ create: { _index: INDEX_NAME, _id: f.flightId } });
      bulk.push(toFlightDoc(f));
    }
    const r = await os.request('POST', '/_bulk', undefined, { bulk, timeoutMs: 60_000 });
    if (typeof r === 'object' && r !== null && 'items' in r && Array.isArray(r.items)) {
      const bad = r.items.filter((it: unknown) => {
        const s = (it as { create?: { status?: number } }).create?.status ?? 201;
        return s >= 400 && s !== 409;
      });
      if (bad.length > 0)
        throw new Error(`bulk index: ${bad.length} failures, first: ${JSON.stringify(bad[0])}`);
    }
  }
  await os.request('POST', `/${INDEX_NAME}/_refresh`, undefined, { timeoutMs: 30_000 });
  if (created) {
    // Committed before the replica is added: peer recovery then copies the segment files.
    // Without the commit the new replica replays every operation since the last one (all
    // ~29k documents indexed again) before the cluster turns green.
    await os.request('POST', `/${INDEX_NAME}/_flush`, undefined, { timeoutMs: 30_000 });
    const { number_of_replicas, refresh_interval } = INDEX_BODY.settings;
    await os.request(
      'PUT',
      `/${INDEX_NAME}/_settings`,
      { index: { number_of_replicas, refresh_interval } },
      {
        timeoutMs: 30_000,
      },
    );
  }
  return created;
}

let lastCatalogue: { key: string; cat: Catalogue } | null = null;

/** The seeded catalogue; the last one is kept, since `up` loads its two stores one after the other (~1 s each). */
function catalogueFor(o: { seed: number; startDate?: string; days?: number }): Catalogue {
  const key = JSON.stringify([o.seed, o.startDate ?? null, o.days ?? null]);
  if (lastCatalogue?.key !== key) lastCatalogue = { key, cat: generateCatalogue(o) };
  return lastCatalogue.cat;
}

/**
 * Generates the seeded catalogue and loads it: PostgreSQL schema (db/schema.sql) and rows,
 * the OpenSearch `flights` index (mappings, refresh_interval 500ms) and, optionally, a warm price
 * cache. Idempotent: existing rows and documents are kept.
 */
export async function loadCatalogue(opts: LoadCatalogueOptions): Promise<LoadSummary> {
  const log = opts.log ?? (() => undefined);
  const database = opts.pgDatabase ?? PG_DATABASE;
  const cat = catalogueFor({ seed: opts.seed, startDate: opts.startDate, days: opts.days });
  log(`catalogue: ${cat.flights.length} flights, ${cat.fares.length} fares`);
  const withPostgres = opts.only !== 'index';
  const withIndex = opts.only !== 'postgres';
  if (withPostgres) await ensureDatabase(opts, database);
  const pool = withPostgres
    ? new FailoverPool({
        hosts: opts.pgHosts,
        database,
        user: opts.pgUser ?? 'postgres',
        password: opts.pgPassword,
        max: 2,
        queryTimeoutMs: 120_000,
      })
    : null;
  const os = withIndex
    ? new SearchClient(Array.isArray(opts.opensearchUrl) ? opts.opensearchUrl : [opts.opensearchUrl], 60_000)
    : null;
  try {
    // The two stores load side by side (each waits mostly on its own server).
    const [, indexCreated] = await Promise.all([
      pool ? loadPostgres(pool, cat).then(() => log('postgres loaded')) : undefined,
      os
        ? loadIndex(os, cat).then((created) => {
            log('opensearch loaded');
            return created;
          })
        : false,
    ]);
    if (opts.redis && pool) {
      const redis = createRedis({
        sentinels: opts.redis.sentinels,
        masterName: opts.redis.masterName,
        commandTimeoutMs: 5_000,
      });
      try {
        const best = await pool.query<FlightPriceRow>(
          'SELECT flight_id, amount, currency, amount_eur, version, revision FROM flight_prices',
        );
        const prices: CachedPrice[] = best.rows.map(toCachedPrice);
        for (const c of chunks(prices, 1_000)) await writePrices(redis, c);
        log('price cache warmed');
      } finally {
        redis.disconnect();
      }
    }
    return { flights: cat.flights.length, fares: cat.fares.length, indexCreated };
  } finally {
    await pool?.end();
    await os?.close();
  }
}
