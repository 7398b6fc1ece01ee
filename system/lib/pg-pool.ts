import pg from 'pg';
import { RETRY_DB, type RetryPolicy, retry } from './retry.ts';

/**
 * node-postgres has no multi-host failover (components.md). This pool probes every host of
 * PG_HOSTS with `pg_is_in_recovery()`, pools connections to the one primary, and on a
 * connection-class error (refused, reset, timeout, admin shutdown, read-only transaction after a
 * demotion) drops the pool and probes again before the next retry.
 */
export interface FailoverPoolOptions {
  /** `host:port` of every node. */
  hosts: string[];
  database: string;
  user: string;
  /** Defaults to PGPASSWORD, as libpq does. */
  password?: string;
  max?: number;
  /** Client-side bound on one query, ms (also catches a paused primary). */
  queryTimeoutMs?: number;
  connectTimeoutMs?: number;
  onEvent?: (event: string, detail: Record<string, unknown>) => void;
}

export class NoPrimaryError extends Error {
  constructor(detail: string) {
    super(`no PostgreSQL primary reachable: ${detail}`);
    this.name = 'NoPrimaryError';
  }
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '25006', // read_only_sql_transaction: we are talking to a demoted primary
]);
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'Query read timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection ended unexpectedly',
  'the database system is',
];

function errCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const c = (err as { code: unknown }).code;
    return typeof c === 'string' ? c : undefined;
  }
  return undefined;
}

/** True when the connection (or the node behind it) is the problem: rediscover the primary. */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof NoPrimaryError) return true;
  const code = errCode(err);
  if (code && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  const msg = err instanceof Error ? err.message : String(err);
  return CONNECTION_MESSAGES.some((m) => msg.includes(m));
}

/** Worth retrying: connection errors plus serialization failures and deadlocks. */
export function isRetryablePgError(err: unknown): boolean {
  const code = errCode(err);
  return isConnectionError(err) || code === '40001' || code === '40P01';
}

function splitHost(hostPort: string): { host: string; port: number } {
  const i = hostPort.lastIndexOf(':');
  return i < 0
    ? { host: hostPort, port: 5432 }
    : { host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)) };
}

export class FailoverPool {
  private pool: pg.Pool | null = null;
  private host: string | null = null;
  private discovering: Promise<pg.Pool> | null = null;
  private closed = false;

  constructor(private readonly opts: FailoverPoolOptions) {}

  currentHost(): string | null {
    return this.host;
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    params: unknown[] = [],
    policy: RetryPolicy = RETRY_DB,
  ): Promise<pg.QueryResult<R>> {
    return retry(
      policy,
      async () => {
        const pool = await this.getPool();
        try {
          return await pool.query<R>(text, params);
        } catch (err) {
          this.onError(pool, err);
          throw err;
        }
      },
      { isRetryable: isRetryablePgError },
    );
  }

  /** Runs `fn` in one transaction; the whole transaction is retried, so `fn` must be re-runnable. */
  async tx<T>(fn: (client: pg.PoolClient) => Promise<T>, policy: RetryPolicy = RETRY_DB): Promise<T> {
    return retry(
      policy,
      async () => {
        const pool = await this.getPool();
        let client: pg.PoolClient;
        try {
          client = await pool.connect();
        } catch (err) {
          this.onError(pool, err);
          throw err;
        }
        let broken: unknown;
        // A checked-out client has no pool listener: a connection that dies now (a paused or
        // failed-over primary) emits 'error' on it, which would crash the process unheard.
        const onError = (err: unknown) => {
          broken = err;
        };
        client.on('error', onError);
        try {
          await client.query('BEGIN');
          const result = await fn(client);
          await client.query('COMMIT');
          return result;
        } catch (err) {
          if (isConnectionError(err)) broken = err;
          else await client.query('ROLLBACK').catch((e: unknown) => (broken = e));
          this.onError(pool, err);
          throw err;
        } finally {
          client.off('error', onError);
          client.release(broken instanceof Error ? broken : undefined);
        }
      },
      { isRetryable: isRetryablePgError },
    );
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1', [], { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0, deadlineMs: 0 });
  }

  async end(): Promise<void> {
    this.closed = true;
    const p = this.pool;
    this.pool = null;
    await p?.end().catch(() => undefined);
  }

  private onError(pool: pg.Pool, err: unknown): void {
    if (!isConnectionError(err) || this.pool !== pool) return;
    this.opts.onEvent?.('pg-pool-reset', { host: this.host, error: String(err) });
    this.pool = null;
    this.host = null;
    void pool.end().catch(() => undefined);
  }

  private getPool(): Promise<pg.Pool> {
    if (this.closed) return Promise.reject(new Error('pool closed'));
    if (this.pool) return Promise.resolve(this.pool);
    if (!this.discovering) {
      this.discovering = this.discover().finally(() => {
        this.discovering = null;
      });
    }
    return this.discovering;
  }

  private async probe(hostPort: string): Promise<boolean> {
    const { host, port } = splitHost(hostPort);
    const client = new pg.Client({
      host,
      port,
      database: this.opts.database,
      user: this.opts.user,
      password: this.opts.password,
      connectionTimeoutMillis: this.opts.connectTimeoutMs ?? 1_500,
      query_timeout: 1_500,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const r = await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
      return r.rows[0]?.r === false;
    } finally {
      void client.end().catch(() => undefined);
    }
  }

  private async discover(): Promise<pg.Pool> {
    const results = await Promise.allSettled(this.opts.hosts.map((h) => this.probe(h)));
    const idx = results.findIndex((r) => r.status === 'fulfilled' && r.value);
    if (idx < 0) {
      const detail = results
        .map((r, i) => `${this.opts.hosts[i]}=${r.status === 'fulfilled' ? 'standby' : String(r.reason)}`)
        .join(', ');
      throw new NoPrimaryError(detail);
    }
    const hostPort = this.opts.hosts[idx]!;
    const { host, port } = splitHost(hostPort);
    const pool = new pg.Pool({
      host,
      port,
      database: this.opts.database,
      user: this.opts.user,
      password: this.opts.password,
      max: this.opts.max ?? 10,
      connectionTimeoutMillis: this.opts.connectTimeoutMs ?? 2_000,
      idleTimeoutMillis: 30_000,
      query_timeout: this.opts.queryTimeoutMs ?? 5_000,
      keepAlive: true,
    });
    pool.on('error', (err) => this.onError(pool, err));
    if (this.closed) {
      await pool.end();
      throw new Error('pool closed');
    }
    this.pool = pool;
    this.host = hostPort;
    this.opts.onEvent?.('pg-primary', { host: hostPort });
    return pool;
  }
}
