/**
 * Connection info for the integration tests (`*.it.test.ts`), read from the environment the
 * services use (ServiceEnv names) plus WS_EDGE_URL (HAProxy) and WS_INGEST_URL (an ingest
 * instance; the push endpoint is not routed by HAProxy). Defaults come from topology.ts.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_API_KEY, PG_DATABASE } from './contracts.ts';
import { FailoverPool } from './lib/pg-pool.ts';
import { buildTopology, componentsOf } from './topology.ts';

/** Defaults: the loopback `ci` topology; WS_NETWORK=netns switches to the namespace addresses. */
const topology = buildTopology({
  profile: 'ci',
  network: process.env.WS_NETWORK === 'netns' ? 'netns' : 'loopback',
});
const ingest = topology.components.find((c) => c.service === 'ingest');

export const EDGE_URL = process.env.WS_EDGE_URL ?? `http://${topology.edge.host}:${topology.edge.port}`;
export const INGEST_URL = process.env.WS_INGEST_URL ?? `http://${ingest?.host}:${ingest?.ports.http}`;
/** Each search-api replica, asked directly (not through HAProxy). */
export const SEARCH_API_URLS = topology.components
  .filter((c) => c.service === 'search-api')
  .map((c) => `http://${c.host}:${c.ports.http}`);
/** `host:port` of every Sentinel. */
export const SENTINELS = componentsOf(topology, 'sentinel').map((c) => `${c.host}:${c.ports.client}`);
export const API_KEY = (process.env.API_KEYS ?? DEFAULT_API_KEY).split(',')[0]!.trim();

export function testPool(): FailoverPool {
  const hosts = componentsOf(topology, 'postgres').map((c) => `${c.host}:${c.ports.client}`);
  return new FailoverPool({
    hosts: process.env.PG_HOSTS ? process.env.PG_HOSTS.split(',') : hosts,
    database: process.env.PG_DATABASE ?? PG_DATABASE,
    user: process.env.PG_USER ?? 'postgres',
    max: 4,
  });
}

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export async function http<T = unknown>(
  method: string,
  url: string,
  opts: { body?: unknown; auth?: boolean; idempotencyKey?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.auth) headers.authorization = `Bearer ${API_KEY}`;
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  const r = await fetch(url, {
    method,
    headers,
    ...(opts.body !== undefined
      ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) }
      : {}),
  });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: r.status, body: body as T, headers: r.headers };
}

/** Polls `fn` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

export const uniqueKey = (prefix: string) => `${prefix}-${randomUUID()}`;

/** A search day inside the generated catalogue (it starts 2026-12-01 and spans 30 days). */
export const SEARCH_DAY = '2026-12-03';
