import { SEARCH_INDEX } from '../contracts.ts';
import { departureWindow, minuteOfDay } from '../search/facets.ts';
import type { Flight } from './generate-catalogue.ts';

/** OpenSearch index `flights`: schedule and availability only, never fares (seed 000). */
export const INDEX_NAME = SEARCH_INDEX;

export const INDEX_BODY = {
  settings: {
    // Three data nodes, one per AZ (seed 000), one replica per shard, the two copies in different
    // zones (allocation awareness, opensearch.yml): any AZ lost leaves a copy. One shard: the index
    // is ~29k small documents, and a search then asks one copy instead of fanning out to three
    // shards and merging. Measured on this 2-core machine (load ~13), the search-api's own query
    // sent 300 times to one node: 3 shards p50 60 ms, p95 154 ms; 1 shard p50 18 ms, p95 49 ms.
    number_of_shards: 1,
    number_of_replicas: 1,
    // Seed 000: newly indexed documents searchable within 1 s. A document written at a random
    // moment waits up to one interval plus the refresh itself, so with 1 s the p95 is above 1 s
    // even on an idle machine; 500 ms leaves the other half for the write and the refresh.
    refresh_interval: '500ms',
    // A node gone longer than this has its copies rebuilt on the nodes left (green again during
    // an AZ outage) instead of waiting the default minute for it to come back.
    'unassigned.node_left.delayed_timeout': '20s',
  },
  mappings: {
    dynamic: 'strict',
    properties: {
      flightId: { type: 'keyword' },
      airline: { type: 'keyword' },
      flightNumber: { type: 'keyword' },
      origin: { type: 'keyword' },
      destination: { type: 'keyword' },
      departure: { type: 'date' },
      arrival: { type: 'date' },
      stops: { type: 'integer' },
      durationMin: { type: 'integer' },
      departureMinute: { type: 'integer' },
      departureWindow: { type: 'keyword' },
      seatsAvailable: { type: 'integer' },
      availabilityVersion: { type: 'long' },
    },
  },
} as const;

export function toFlightDoc(f: Flight): Record<string, unknown> {
  return {
    flightId: f.flightId,
    airline: f.airline,
    flightNumber: f.flightNumber,
    origin: f.origin,
    destination: f.destination,
    departure: f.departure,
    arrival: f.arrival,
    stops: f.stops,
    durationMin: Math.round((Date.parse(f.arrival) - Date.parse(f.departure)) / 60_000),
    departureMinute: minuteOfDay(f.departure),
    departureWindow: departureWindow(f.departure),
    seatsAvailable: f.capacity,
    availabilityVersion: 0,
  };
}

/**
 * Scripted, version-guarded availability update: applies only if `version` is newer than the
 * document's, so replays and out-of-order sink writes never regress it.
 */
export function availabilityUpdate(seatsAvailable: number, version: number): Record<string, unknown> {
  return {
    script: {
      lang: 'painless',
      source:
        'if (ctx._source.availabilityVersion == null || params.v > ctx._source.availabilityVersion) { ctx._source.seatsAvailable = params.s; ctx._source.availabilityVersion = params.v } else { ctx.op = "noop" }',
      params: { s: seatsAvailable, v: version },
    },
  };
}
