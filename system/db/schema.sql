-- Schema of database `flights` (system/contracts.ts lists the columns the harness reads).
-- Idempotent: every statement may run again on an existing database.

CREATE TABLE IF NOT EXISTS airports (
  code text PRIMARY KEY,
  city text NOT NULL,
  country text NOT NULL
);

CREATE TABLE IF NOT EXISTS airlines (
  code text PRIMARY KEY,
  name text NOT NULL
);

CREATE TABLE IF NOT EXISTS flights (
  flight_id text PRIMARY KEY,
  airline text NOT NULL,
  flight_number text NOT NULL,
  origin text NOT NULL,
  destination text NOT NULL,
  departure timestamptz NOT NULL,
  arrival timestamptz NOT NULL,
  stops int NOT NULL
);
CREATE INDEX IF NOT EXISTS flights_route_idx ON flights (origin, destination, departure);

-- Seats per flight; every writer uses optimistic locking on `version`.
CREATE TABLE IF NOT EXISTS inventory (
  flight_id text PRIMARY KEY,
  capacity int NOT NULL,
  sold int NOT NULL DEFAULT 0,
  version int NOT NULL DEFAULT 0,
  CONSTRAINT inventory_not_oversold CHECK (sold >= 0 AND sold <= capacity)
);

-- One row per supplier offer; sinks never lower `version` (WHERE excluded.version > fares.version).
CREATE TABLE IF NOT EXISTS fares (
  supplier text NOT NULL,
  offer_id text NOT NULL,
  flight_id text NOT NULL,
  amount numeric(12, 2) NOT NULL,
  currency text NOT NULL,
  amount_eur numeric(12, 2) NOT NULL,
  version bigint NOT NULL,
  event_time timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  seats_available int,
  anomaly text,
  PRIMARY KEY (supplier, offer_id)
);
CREATE INDEX IF NOT EXISTS fares_flight_idx ON fares (flight_id, amount_eur);

-- Best (lowest EUR) fare per flight; `revision` grows on every change and guards cache writes.
CREATE TABLE IF NOT EXISTS flight_prices (
  flight_id text PRIMARY KEY,
  amount numeric(12, 2) NOT NULL,
  currency text NOT NULL,
  amount_eur numeric(12, 2) NOT NULL,
  supplier text NOT NULL,
  offer_id text NOT NULL,
  version bigint NOT NULL,
  revision bigint NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Projection of `reservations.commands` (written only by the projector).
CREATE TABLE IF NOT EXISTS reservations (
  reservation_id text PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  flight_id text NOT NULL,
  seats int NOT NULL,
  status text NOT NULL,
  reason text,
  passenger_name text,
  kafka_partition int,
  kafka_offset bigint,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Projector progress per partition, for /v1/monitoring/reservations/projection.
CREATE TABLE IF NOT EXISTS projector_state (
  topic text NOT NULL,
  partition int NOT NULL,
  next_offset bigint NOT NULL,
  last_message_at timestamptz,
  projected_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic, partition)
);

-- Booking saga state; `state` is the saga step, `status` the client-visible outcome.
CREATE TABLE IF NOT EXISTS bookings (
  booking_id text PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  flight_id text NOT NULL,
  seats int NOT NULL,
  passenger_name text,
  state text NOT NULL,
  status text,
  pnr text,
  payment_id text,
  reason text,
  compensations text[],
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS bookings_open_idx ON bookings (updated_at) WHERE status IS NULL;

-- The stream's PostgreSQL sink in one round trip (system/stream/sinks.ts sinkToPostgres): upsert
-- the fares with the version guard, lock the touched flight_prices rows in flight_id order (so
-- concurrent callers serialise instead of deadlocking), then recompute those flights' best prices
-- and return the ones that changed. Each statement takes a fresh snapshot
-- (READ COMMITTED, volatile function), so the recompute sees every fare committed before its lock.
CREATE OR REPLACE FUNCTION sink_fares(
  p_supplier text[], p_offer_id text[], p_flight_id text[], p_amount numeric[], p_currency text[],
  p_amount_eur numeric[], p_version bigint[], p_event_time timestamptz[], p_seats int[],
  p_anomaly text[])
RETURNS TABLE (flight_id text, amount numeric, currency text, amount_eur numeric, version bigint, revision bigint)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  flights text[] := ARRAY(SELECT DISTINCT unnest(p_flight_id));
BEGIN
  INSERT INTO fares AS f (supplier, offer_id, flight_id, amount, currency, amount_eur, version, event_time, seats_available, anomaly, updated_at)
  SELECT *, now() FROM unnest(p_supplier, p_offer_id, p_flight_id, p_amount, p_currency, p_amount_eur, p_version, p_event_time, p_seats, p_anomaly)
  ON CONFLICT (supplier, offer_id) DO UPDATE SET
    flight_id = excluded.flight_id, amount = excluded.amount, currency = excluded.currency,
    amount_eur = excluded.amount_eur, version = excluded.version, event_time = excluded.event_time,
    seats_available = excluded.seats_available, anomaly = excluded.anomaly, updated_at = now()
  WHERE excluded.version > f.version;
  PERFORM 1 FROM flight_prices p WHERE p.flight_id = ANY(flights) ORDER BY p.flight_id FOR UPDATE;
  RETURN QUERY
  WITH best AS (
    SELECT DISTINCT ON (b.flight_id) b.flight_id, b.amount, b.currency, b.amount_eur, b.supplier, b.offer_id, b.version
    FROM fares b WHERE b.flight_id = ANY(flights) ORDER BY b.flight_id, b.amount_eur, b.supplier, b.offer_id),
  changed AS (
    INSERT INTO flight_prices AS p (flight_id, amount, currency, amount_eur, supplier, offer_id, version, revision, updated_at)
    SELECT best.flight_id, best.amount, best.currency, best.amount_eur, best.supplier, best.offer_id, best.version, 1, now() FROM best
    ON CONFLICT (flight_id) DO UPDATE SET
      amount = excluded.amount, currency = excluded.currency, amount_eur = excluded.amount_eur,
      supplier = excluded.supplier, offer_id = excluded.offer_id, version = excluded.version,
      revision = p.revision + 1, updated_at = now()
    WHERE (p.amount, p.currency, p.supplier, p.offer_id, p.version)
      IS DISTINCT FROM (excluded.amount, excluded.currency, excluded.supplier, excluded.offer_id, excluded.version)
    RETURNING p.flight_id, p.amount, p.currency, p.amount_eur, p.version, p.revision)
  SELECT * FROM changed;
END $$;
