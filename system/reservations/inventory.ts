import type { PoolClient } from 'pg';

export type SeatOutcome =
  | { ok: true; version: number }
  | { ok: false; reason: 'sold_out' | 'unknown_flight' };

/**
 * Takes `seats` on a flight with optimistic locking: read (sold, version), then update only if
 * the version is unchanged and capacity allows; on a lost race, read again. Never oversells
 * (the table's CHECK is the backstop). Runs inside the caller's transaction.
 */
export async function takeSeats(
  c: PoolClient,
  flightId: string,
  seats: number,
  maxAttempts = 20,
): Promise<SeatOutcome> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const cur = await c.query<{ capacity: number; sold: number; version: number }>(
      'SELECT capacity, sold, version FROM inventory WHERE flight_id = $1',
      [flightId],
    );
    const row = cur.rows[0];
    if (!row) return { ok: false, reason: 'unknown_flight' };
    if (row.sold + seats > row.capacity) return { ok: false, reason: 'sold_out' };
    const upd = await c.query<{ version: number }>(
      `UPDATE inventory SET sold = sold + $2, version = version + 1
       WHERE flight_id = $1 AND version = $3 AND sold + $2 <= capacity RETURNING version`,
      [flightId, seats, row.version],
    );
    if (upd.rows[0]) return { ok: true, version: upd.rows[0].version };
  }
  throw Object.assign(new Error(`inventory contention on ${flightId}`), { code: '40001' });
}

/** Gives seats back (compensation), with the same version check. */
export async function releaseSeats(
  c: PoolClient,
  flightId: string,
  seats: number,
  maxAttempts = 20,
): Promise<void> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const cur = await c.query<{ version: number }>('SELECT version FROM inventory WHERE flight_id = $1', [
      flightId,
    ]);
    const row = cur.rows[0];
    if (!row) return;
    const upd = await c.query(
      `UPDATE inventory SET sold = greatest(sold - $2, 0), version = version + 1 WHERE flight_id = $1 AND version = $3`,
      [flightId, seats, row.version],
    );
    if (upd.rowCount === 1) return;
  }
  throw Object.assign(new Error(`inventory contention on ${flightId}`), { code: '40001' });
}
