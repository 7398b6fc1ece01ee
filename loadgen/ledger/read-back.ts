import pg from 'pg';
import { internal } from '../../lib/errors.ts';
import type { Readback } from '../../lib/run-format.ts';
import { PG_DATABASE } from '../../system/contracts.ts';

/** Where the durable store is: every PostgreSQL node; the writable one is read. */
export interface PgConfig {
  /** `host:port` of every node, in the order to try. */
  hosts: string[];
  database?: string;
  user: string;
  password?: string;
  connectTimeoutMs?: number;
}

export interface ReadbackKeys {
  /** Idempotency keys of reservations. */
  reservations: string[];
  /** `supplier:offerId` of fare updates. */
  fares: string[];
  /** Flights whose inventory to report (optional). */
  flightIds?: string[];
}

function clientFor(cfg: PgConfig, hostPort: string): pg.Client {
  const i = hostPort.lastIndexOf(':');
  const host = i > 0 ? hostPort.slice(0, i) : hostPort;
  const port = i > 0 ? Number(hostPort.slice(i + 1)) : 5432;
  return new pg.Client({
    host,
    port,
    database: cfg.database ?? PG_DATABASE,
    user: cfg.user,
    ...(cfg.password !== undefined ? { password: cfg.password } : {}),
    connectionTimeoutMillis: cfg.connectTimeoutMs ?? 3000,
  });
}

/** Connects to each host in turn and returns a client on the one not in recovery (the primary). */
export async function connectPrimary(cfg: PgConfig): Promise<{ client: pg.Client; host: string }> {
  const tried: string[] = [];
  for (const host of cfg.hosts) {
    const client = clientFor(cfg, host);
    try {
      await client.connect();
      const r = await client.query<{ r: boolean }>('select pg_is_in_recovery() as r');
      if (r.rows[0]?.r === false) return { client, host };
      tried.push(`${host}: in recovery`);
    } catch (err) {
      tried.push(`${host}: ${err instanceof Error ? err.message : String(err)}`);
    }
    await client.end().catch(() => undefined);
  }
  throw internal(
    'pg-no-primary',
    `no PostgreSQL node accepts writes (${tried.join('; ')})`,
    'check the stack with `windshear status`; the read-back needs the primary',
  );
}

const LEDGER_PASSENGER = 'ledger ';

/** The passenger name of the ledger's reservation `key`: how the read-back finds every row it made. */
export function ledgerPassenger(key: string): string {
  return `${LEDGER_PASSENGER}${key}`;
}

/** Splits `supplier:offerId` at the first colon (supplier names carry none). */
export function splitFareKey(key: string): [string, string] {
  const i = key.indexOf(':');
  return i < 0 ? [key, ''] : [key.slice(0, i), key.slice(i + 1)];
}

/** Reads what the durable store holds for the ledger's keys (the RPO checker's input). */
export async function readBack(cfg: PgConfig, keys: ReadbackKeys): Promise<Readback> {
  const { client } = await connectPrimary(cfg);
  try {
    const reservations: Readback['reservations'] = {};
    if (keys.reservations.length > 0) {
      // Counted by the passenger name the ledger gives each operation, not by the idempotency
      // key: the key is unique in the table, so a count by key could never show a duplicate.
      const r = await client.query<{ p: string; n: number; id: string }>(
        `select passenger_name as p, count(*)::int as n, min(reservation_id) as id
           from reservations where passenger_name = any($1::text[]) group by passenger_name`,
        [keys.reservations.map(ledgerPassenger)],
      );
      for (const row of r.rows)
        reservations[row.p.slice(LEDGER_PASSENGER.length)] = { count: row.n, reservationId: row.id };
    }
    const fares: Readback['fares'] = {};
    if (keys.fares.length > 0) {
      const split = keys.fares.map(splitFareKey);
      const r = await client.query<{ s: string; o: string; v: string }>(
        `select supplier as s, offer_id as o, max(version)::text as v from fares
          where (supplier, offer_id) in (select * from unnest($1::text[], $2::text[]))
          group by supplier, offer_id`,
        [split.map(([s]) => s), split.map(([, o]) => o)],
      );
      for (const row of r.rows) fares[`${row.s}:${row.o}`] = Number(row.v);
    }
    const out: Readback = { at: '', reservations, fares };
    if (keys.flightIds && keys.flightIds.length > 0) {
      const r = await client.query<{ f: string; c: number; s: number }>(
        'select flight_id as f, capacity as c, sold as s from inventory where flight_id = any($1::text[])',
        [keys.flightIds],
      );
      out.inventory = r.rows.map((x) => ({ flightId: x.f, capacity: x.c, sold: x.s }));
    }
    out.at = new Date().toISOString();
    return out;
  } finally {
    await client.end().catch(() => undefined);
  }
}
