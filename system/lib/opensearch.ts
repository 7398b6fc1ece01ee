import { Client, type Connection } from '@opensearch-project/opensearch';

/** How long a node that failed is left out before a ping may bring it back (doubles, at most 4×). */
export const RESURRECT_MS = 5_000;
/** A ping to a node left out answers within this, or the node stays out. */
const PING_TIMEOUT_MS = 1_000;

/** Failures at connect time: nothing was sent, so the request can go to another node as it is. */
const NOT_SENT = /\b(ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL)\b/;

export interface SearchClientOptions {
  /** See RESURRECT_MS; tests shorten it. */
  resurrectMs?: number;
}

/**
 * Thin OpenSearch client: raw REST calls through the official client's node pool and retries.
 *
 * Several URLs are tried in the order given (a service lists its own AZ's node first): each
 * request goes to the first node not marked dead. A node is marked dead by a connection error, a
 * timeout or a 502/503/504, left out for `resurrectMs` (then 2×, 4×), and taken back after a
 * ping (HEAD /) answers; the ping runs beside the requests, never in their way. A request that
 * could not even connect (refused, unreachable) moves on to the next node at once, whatever the
 * retry count: it costs no time and was never sent. A timeout costs its request; the next one
 * goes elsewhere.
 */
export class SearchClient {
  private readonly client: Client;
  private readonly nodes: number;

  constructor(urls: string[], requestTimeoutMs = 2_000, maxRetries = 1, opts: SearchClientOptions = {}) {
    this.nodes = urls.length;
    this.client = new Client({
      nodes: urls,
      requestTimeout: requestTimeoutMs,
      maxRetries,
      nodeSelector: (alive: Connection[]) => alive[0]!,
      pingTimeout: Math.min(requestTimeoutMs, PING_TIMEOUT_MS),
    });
    const pool = this.client.connectionPool as { resurrectTimeout: number; resurrectTimeoutCutoff: number };
    pool.resurrectTimeout = opts.resurrectMs ?? RESURRECT_MS;
    pool.resurrectTimeoutCutoff = 2;
  }

  /** Returns the response body; 4xx/5xx reject unless listed in `ignore`. */
  async request(
    method: string,
    path: string,
    body?: Record<string, unknown>,
    opts: {
      ignore?: number[];
      bulk?: Record<string, unknown>[];
      timeoutMs?: number;
      querystring?: Record<string, string>;
    } = {},
  ): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await this.client.transport.request(
          {
            method,
            path,
            ...(body ? { body } : {}),
            ...(opts.bulk ? { bulkBody: opts.bulk } : {}),
            ...(opts.querystring ? { querystring: opts.querystring } : {}),
          },
          {
            ...(opts.ignore ? { ignore: opts.ignore } : {}),
            ...(opts.timeoutMs ? { requestTimeout: opts.timeoutMs } : {}),
          },
        );
        const b: unknown = r.body;
        return b;
      } catch (e) {
        if (attempt < this.nodes && notSent(e)) continue;
        throw e;
      }
    }
  }

  /**
   * Readiness: the node's own view of cluster health (`local=true`). Without it the call waits
   * for a cluster manager, which an AZ loss takes away for ~10 s while the node still answers
   * searches: every search replica then failed /readyz at once (az-loss, issue 13).
   */
  async ping(): Promise<void> {
    await this.request('GET', '/_cluster/health', undefined, {
      timeoutMs: 1_000,
      querystring: { local: 'true' },
    });
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

function notSent(e: unknown): boolean {
  return e instanceof Error && e.name === 'ConnectionError' && NOT_SENT.test(e.message);
}
