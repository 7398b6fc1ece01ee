import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { ServiceConfig } from '../config.ts';
import { CORRELATION_HEADER } from '../contracts.ts';
import { BreakerOpenError } from './breaker.ts';
import { HttpError } from './http-error.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { NoPrimaryError } from './pg-pool.ts';
import { ReadinessMonitor, type ReadyChecks, runChecks } from './readiness.ts';

export type { ReadyChecks } from './readiness.ts';
export { runChecks } from './readiness.ts';

export interface ServiceHandle {
  ready: ReadyChecks;
  /** Decides readiness from per-check success (default: every check ok), e.g. to stay ready degraded. */
  readyWhen?: (ok: Record<string, boolean>) => boolean;
  /** Stop taking new work from Kafka/timers (first step of shutdown). */
  stopIntake?: () => Promise<void>;
  /** Flush and close clients (after HTTP drained). */
  close: () => Promise<void>;
}

export interface ServiceContext {
  config: ServiceConfig;
  app: FastifyInstance;
  log: FastifyBaseLogger;
  metrics: Metrics;
  isShuttingDown: () => boolean;
  /** A dependency failed a real call: re-check readiness now (at most once a second). */
  recheckReadiness: () => void;
}

function errorBody(err: unknown): {
  status: number;
  code: string;
  reason: string;
  headers: Record<string, string>;
} {
  if (err instanceof HttpError)
    return { status: err.statusCode, code: err.code, reason: err.message, headers: err.headers };
  if (err instanceof BreakerOpenError || err instanceof NoPrimaryError) {
    return { status: 503, code: 'unavailable', reason: err.message, headers: { 'retry-after': '1' } };
  }
  const status =
    typeof err === 'object' && err !== null && 'statusCode' in err && typeof err.statusCode === 'number'
      ? err.statusCode
      : 500;
  const reason = err instanceof Error ? err.message : String(err);
  if (status >= 400 && status < 500) return { status, code: 'bad_request', reason, headers: {} };
  return { status: 500, code: 'internal', reason: 'internal error', headers: {} };
}

/**
 * Builds the Fastify app every service shares (JSON logs with correlation ids, /healthz, /readyz,
 * /metrics, 4xx-with-reason error mapping), lets `build` add routes and workers, listens, and
 * shuts down gracefully on SIGTERM/SIGINT: fail /readyz, stop intake, drain HTTP, flush, exit.
 */
export async function runService(
  config: ServiceConfig,
  build: (ctx: ServiceContext) => Promise<ServiceHandle>,
): Promise<void> {
  const app = Fastify({
    logger: {
      level: config.LOG_LEVEL,
      base: { service: config.WS_SERVICE, instance: config.WS_INSTANCE, az: config.WS_AZ },
    },
    requestIdHeader: CORRELATION_HEADER,
    genReqId: () => randomUUID(),
    logController: new LogController({ requestIdLogLabel: 'correlationId', disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
  });
  const metrics = createMetrics(config.WS_SERVICE, config.WS_INSTANCE);
  let shuttingDown = false;

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    reply.header(CORRELATION_HEADER, req.id);
  });
  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const labels = { method: req.method, route, status: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) readiness?.nudge();
    if (reply.statusCode >= 500)
      req.log.warn({ route, status: reply.statusCode, ms: reply.elapsedTime }, 'request failed');
    else req.log.debug({ route, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
  });
  app.setErrorHandler((err: unknown, req, reply) => {
    const e = errorBody(err);
    if (e.status >= 500) req.log.error({ err }, 'unhandled error');
    void reply
      .code(e.status)
      .headers(e.headers)
      .send({ error: e.code, reason: e.reason, correlationId: req.id });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: 'not_found', reason: `no route ${req.method} ${req.url}` });
  });

  let readiness: ReadinessMonitor | null = null;
  const ctx: ServiceContext = {
    config,
    app,
    log: app.log,
    metrics,
    isShuttingDown: () => shuttingDown,
    recheckReadiness: () => readiness?.nudge(),
  };
  const handle = await build(ctx);

  app.get('/healthz', async () => ({ status: 'ok' }));
  // Balancer health checks arrive every second per replica: they read the last background result
  // (readiness.ts) instead of calling every dependency.
  const monitor = new ReadinessMonitor(() => runChecks(handle.ready, handle.readyWhen));
  readiness = monitor;
  monitor.start();
  app.get('/readyz', async (_req, reply) => {
    if (shuttingDown) return reply.code(503).send({ status: 'shutting-down', checks: {} });
    const r = await monitor.current();
    return reply.code(r.ok ? 200 : 503).send({ status: r.ok ? 'ready' : 'not-ready', checks: r.checks });
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  await app.listen({ host: config.HOST, port: config.PORT });

  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    monitor.stop();
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.log.error('shutdown took too long, exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    try {
      if (config.SHUTDOWN_DELAY_MS > 0) await new Promise((r) => setTimeout(r, config.SHUTDOWN_DELAY_MS));
      await handle.stopIntake?.();
      await app.close();
      await handle.close();
      app.log.info('shut down cleanly');
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
