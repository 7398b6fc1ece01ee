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
