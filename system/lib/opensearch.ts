import { Client } from '@opensearch-project/opensearch';

/** Thin OpenSearch client: raw REST calls through the official client's node pool and retries. */
export class SearchClient {
  private readonly client: Client;

  constructor(urls: string[], requestTimeoutMs = 2_000, maxRetries = 1) {
    this.client = new Client({ nodes: urls, requestTimeout: requestTimeoutMs, maxRetries });
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
  }

  async ping(): Promise<void> {
    await this.request('GET', '/_cluster/health', undefined, { timeoutMs: 1_000 });
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
