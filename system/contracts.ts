/**
 * The system's public interface: what the harness (k6 scripts, ledger client, probes) may rely
 * on. The services in system/ implement it; nothing here knows about the harness.
 */

/** Kafka topics, created by the platform when the stack comes up (RF 3, min ISR 2). */
export const TOPICS = {
  supplierRaw: { name: 'supplier.raw', partitions: 24 },
  faresNormalized: { name: 'fares.normalized', partitions: 24 },
  reservationCommands: { name: 'reservations.commands', partitions: 24 },
  reservationCommandsDlq: { name: 'reservations.commands.dlq', partitions: 6 },
  bookingEvents: { name: 'bookings.events', partitions: 12 },
} as const;

/** Consumer groups, as lag probes report them. */
export const GROUPS = {
  stream: 'stream-normalizer',
  projector: 'reservations-projector',
} as const;

/** Environment every service process is started with. */
export interface ServiceEnv {
  /** `search-api` | `reservations` | `booking` | `ingest` | `stream`. */
  WS_SERVICE: string;
  WS_INSTANCE: string;
  WS_AZ: string;
  HOST: string;
  PORT: string;
  /** Comma-separated `host:port`, all three brokers. */
  KAFKA_BROKERS: string;
  /** Comma-separated `host:port` of every Sentinel. */
  REDIS_SENTINELS: string;
  /** Sentinel master name. */
  REDIS_MASTER: string;
  /** Comma-separated `host:port` of every PostgreSQL node (the pool finds the primary). */
  PG_HOSTS: string;
  PG_DATABASE: string;
  PG_USER: string;
  OPENSEARCH_URL: string;
  /** Comma-separated accepted API keys for reservation and booking endpoints. */
  API_KEYS: string;
  /** Simulated payment gateway: failure probability 0..1 and latency in ms. */
  PAYMENT_FAILURE_RATE?: string;
  PAYMENT_LATENCY_MS?: string;
  /** Ingest: aggregate supplier feed rate in messages/s (0 = only the push endpoint). */
  INGEST_RATE?: string;
  /** Seed of the generated catalogue. */
  CATALOGUE_SEED?: string;
}

/** Reservation and booking endpoints need `Authorization: Bearer <api key>`. */
export const AUTH_HEADER = 'authorization';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const CORRELATION_HEADER = 'x-correlation-id';
export const DEFAULT_API_KEY = 'ws-local-key';
export const REDIS_MASTER_NAME = 'ws-primary';

/** HTTP routes (through HAProxy at the edge). */
export const ROUTES = {
  search: '/v1/search', // GET ?origin=LHR&destination=JFK&date=2026-12-01[&airline&stops&departAfter&departBefore&limit]
  price: '/v1/flights/:id/price', // GET
  reservations: '/v1/reservations', // POST (Idempotency-Key, auth) -> 202 ReservationAccepted
  reservation: '/v1/reservations/:id', // GET -> 200 ReservationView | 404 while not projected
  reservationProjection: '/v1/monitoring/reservations/projection', // GET -> ProjectionLag
  reservationDlqReplay: '/v1/reservations/dlq/replay', // POST (auth) -> { replayed }
  bookings: '/v1/bookings', // POST (Idempotency-Key, auth) -> 200 BookingResult
  booking: '/v1/bookings/:id', // GET
  supplierPush: '/v1/suppliers/:supplier/fares', // POST on ingest (not routed by HAProxy)
} as const;

export interface SearchResult {
  flightId: string;
  airline: string;
  flightNumber: string;
  origin: string;
  destination: string;
  /** ISO-8601. */
  departure: string;
  arrival: string;
  stops: number;
  price: { amount: number; currency: string; version: number; source: 'cache' | 'store' } | null;
}

export interface SearchResponse {
  results: SearchResult[];
  facets: {
    airline: { value: string; count: number }[];
    stops: { value: number; count: number }[];
    departureWindow: { value: 'night' | 'morning' | 'afternoon' | 'evening'; count: number }[];
  };
  total: number;
  /** True when a dependency was unavailable and results are partial or from cache. */
  degraded: boolean;
  degradedReasons?: string[];
}

export interface PriceResponse {
  flightId: string;
  amount: number;
  currency: string;
  version: number;
  source: 'cache' | 'store';
  degraded: boolean;
}

export interface ReservationRequest {
  flightId: string;
  seats: number;
  passenger: { name: string; email?: string };
}

/** 202 answer, sent only after the broker acknowledged the command (acks=all). */
export interface ReservationAccepted {
  reservationId: string;
  status: 'accepted';
  partition: number;
  offset: string;
}

export interface ReservationView {
  reservationId: string;
  idempotencyKey: string;
  flightId: string;
  seats: number;
  status: 'confirmed' | 'rejected';
  reason?: string;
}

export interface ProjectionLag {
  lagOffsets: number;
  lagSec: number;
  lastProjectedAt: string | null;
}

export interface BookingRequest {
  flightId: string;
  seats: number;
  passenger: { name: string; email?: string };
  paymentToken: string;
}

export interface BookingResult {
  bookingId: string;
  status: 'confirmed' | 'failed';
  pnr?: string;
  reason?: string;
  /** Compensations run on failure, in order: `refund-payment`, `release-seats`. */
  compensations?: string[];
}

/** Canonical fare update, as ingest produces it to `supplier.raw` (key `supplier:offerId`). */
export interface FareUpdate {
  supplier: string;
  offerId: string;
  flightId: string;
  amount: number;
  currency: string;
  /** Increases per (supplier, offerId); sinks never apply a lower version over a higher one. */
  version: number;
  /** ISO-8601 supplier event time. */
  eventTime: string;
  seatsAvailable?: number;
}

/**
 * PostgreSQL tables the harness reads back after a run (database `flights`):
 *   reservations(reservation_id text pk, idempotency_key text unique, flight_id text, seats int,
 *                status text, kafka_partition int, kafka_offset bigint, created_at timestamptz)
 *   fares(supplier text, offer_id text, flight_id text, amount numeric, currency text,
 *         version bigint, event_time timestamptz, updated_at timestamptz, pk (supplier, offer_id))
 *   inventory(flight_id text pk, capacity int, sold int, version int)
 *   flights(flight_id text pk, airline, flight_number, origin, destination, departure, arrival, stops)
 * OpenSearch index `flights` (no fares). Redis keys `price:<flightId>` (hash, TTL 60 s).
 */
export const PG_DATABASE = 'flights';
export const SEARCH_INDEX = 'flights';
