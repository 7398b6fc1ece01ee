/**
 * `npm run bench:system` (issue 3): on the running stack (`windshear up`), with k6 through HAProxy:
 *   1. the highest search rate this machine sustains with p95 <= 40 ms (seed 000), no dropped
 *      iterations and < 1 % errors, stepping the arrival rate up by x1.5;
 *   2. the same for a bare Fastify endpoint in its own process (the ceiling of k6 + Node here);
 *   3. their ratio;
 *   4. the supplier-feed rate (msg/s through ingest → Kafka → stream → sinks) the pipeline
 *      sustains with consumer lag p95 < 5 s (seed 000), stepping the feed rate up.
 * Loopback and the stack's own namespace addresses only; every step is bounded in time.
 * Usage: node --import tsx bench/system.ts [--step-sec 15] [--feed-step-sec 30] [--skip-feed]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localPlatform } from '../chaos/platforms/local/local-platform.ts';
import { REPO_ROOT } from '../lib/paths.ts';
import type { ConsumerLagSample } from '../lib/run-format.ts';
import { catalogueEnv, DEFAULT_AIRPORTS, DEFAULT_DATES, discoverFlightIds } from '../loadgen/catalogue.ts';
import type { K6Options } from '../loadgen/profiles.ts';
import { runK6 } from '../loadgen/run-k6.ts';
import { setSupplierFeedRate } from '../loadgen/supplier-feed.ts';
import { consumerLagProbe } from '../scenarios/probes/consumer-lag-probe.ts';
import { DEFAULT_API_KEY, GROUPS } from '../system/contracts.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const STEP_SEC = arg('step-sec', 15);
const FEED_STEP_SEC = arg('feed-step-sec', 30);
const P95_OBJECTIVE_MS = 40;
const LAG_OBJECTIVE_SEC = 5;
const script = join(REPO_ROOT, 'loadgen', 'k6', 'traffic.ts');
const log = (l: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${l}\n`);

const topology = localPlatform().current();
if (!topology || !topology.components.some((c) => c.kind === 'service')) {
  console.error('bench:system needs the stack with its services: run `windshear up` first');
  process.exit(254);
}
const edge = `http://${topology.edge.host}:${topology.edge.port}`;

function searchOnly(rate: number): K6Options {
  return {
    scenarios: {
      search: {
        executor: 'constant-arrival-rate',
        exec: 'search',
        rate,
        timeUnit: '1s',
        duration: `${STEP_SEC}s`,
        preAllocatedVUs: Math.max(10, Math.ceil(rate * 0.1)),
        maxVUs: Math.max(50, rate),
      },
    },
    summaryTrendStats: ['p(50)', 'p(95)', 'p(99)', 'max'],
  } as unknown as K6Options;
}

interface Step {
  rate: number;
  p95Ms: number | null;
  errorRate: number;
  dropped: number;
  pass: boolean;
}

/** Steps the arrival rate up x1.5 until a step breaks the objective; returns every step. */
async function stepSearch(
  name: string,
  baseUrl: string,
  env: Record<string, string>,
  start: number,
): Promise<Step[]> {
  const steps: Step[] = [];
  for (let rate = start; rate <= 20_000; rate = Math.round(rate * 1.5)) {
    const outDir = await mkdtemp(join(tmpdir(), `ws-bench-${name}-`));
    const r = await runK6({
      script,
      options: searchOnly(rate),
      env: { WS_BASE_URL: baseUrl, ...env },
      outDir,
    });
    const all = r.tags.find((t) => t.tag === '*');
    const errorRate = all && all.count ? all.errors / all.count : 1;
    const p95Ms = all?.p95Ms ?? null;
    const pass =
      r.droppedIterations === 0 && errorRate < 0.01 && p95Ms !== null && p95Ms <= P95_OBJECTIVE_MS && r.valid;
    steps.push({ rate, p95Ms, errorRate, dropped: r.droppedIterations, pass });
    log(
      `${name}: ${rate} req/s → p95 ${p95Ms?.toFixed(1)} ms, errors ${(errorRate * 100).toFixed(2)} %, dropped ${r.droppedIterations} → ${pass ? 'holds' : 'breaks'}`,
    );
    if (!pass) break;
  }
  return steps;
}

const best = (steps: Step[]) => steps.filter((s) => s.pass).at(-1)?.rate ?? 0;

async function startBareFastify(): Promise<{ url: string; child: ChildProcess }> {
  const code = `
    import Fastify from 'fastify';
    const app = Fastify({ logger: false });
    const body = { results: [], facets: { airline: [], stops: [], departureWindow: [] }, total: 0, degraded: false };
    app.get('/v1/search', async () => body);
    await app.listen({ host: '127.0.0.1', port: 0 });
    console.log(app.server.address().port);
    process.on('SIGTERM', () => process.exit(0));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', () => reject(new Error('bare Fastify exited')));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

async function stepFeed(): Promise<{ rate: number; lagP95Sec: number; lagMaxSec: number; pass: boolean }[]> {
  const ingestUrls = topology!.components
    .filter((c) => c.service === 'ingest')
    .map((c) => `http://${c.host}:${c.ports.http}`);
  const probe = consumerLagProbe(topology!);
  const out: { rate: number; lagP95Sec: number; lagMaxSec: number; pass: boolean }[] = [];
  try {
    for (const rate of [50, 100, 250, 500, 1000, 2000, 4000]) {
      await setSupplierFeedRate(ingestUrls, rate);
      const lags: number[] = [];
      const deadline = Date.now() + FEED_STEP_SEC * 1000;
      while (Date.now() < deadline) {
        const s = await probe.sample();
        const g = (s.data as ConsumerLagSample).groups?.find((x) => x.group === GROUPS.stream);
        if (s.ok && g) lags.push(g.lagSec);
        await new Promise((r) => setTimeout(r, 1000));
      }
      lags.sort((a, b) => a - b);
      const lagP95Sec =
        lags[Math.min(lags.length - 1, Math.floor(lags.length * 0.95))] ?? Number.POSITIVE_INFINITY;
      const lagMaxSec = lags.at(-1) ?? Number.POSITIVE_INFINITY;
      const pass = lagP95Sec < LAG_OBJECTIVE_SEC;
      out.push({ rate, lagP95Sec, lagMaxSec, pass });
      log(
        `supplier feed ${rate} msg/s → stream lag p95 ${lagP95Sec.toFixed(1)} s, max ${lagMaxSec.toFixed(1)} s → ${pass ? 'holds' : 'breaks'}`,
      );
      if (!pass) break;
    }
  } finally {
    await setSupplierFeedRate(ingestUrls, 0);
    await probe.close?.();
  }
  return out;
}

const hints = { airports: DEFAULT_AIRPORTS, dates: DEFAULT_DATES };
const flights = await discoverFlightIds(edge, hints, { max: 100 });
const env = { WS_API_KEY: DEFAULT_API_KEY, ...catalogueEnv(hints, flights) };
log('search through HAProxy');
const system = await stepSearch('search-api', edge, env, 10);
log('bare Fastify endpoint (the ceiling)');
const bare = await startBareFastify();
let ceiling: Step[] = [];
try {
  ceiling = await stepSearch('bare-fastify', bare.url, env, 100);
} finally {
  bare.child.kill('SIGTERM');
}
const feed = process.argv.includes('--skip-feed') ? [] : await stepFeed();
const result = {
  stepSec: STEP_SEC,
  searchMaxRate: best(system),
  bareFastifyMaxRate: best(ceiling),
  ratio: best(ceiling) ? best(system) / best(ceiling) : null,
  supplierFeedMaxRate: feed.filter((f) => f.pass).at(-1)?.rate ?? 0,
  steps: { search: system, bare: ceiling, feed },
};
console.log(JSON.stringify(result, null, 2));
console.error(
  `\nsearch: ${result.searchMaxRate} req/s with p95 <= ${P95_OBJECTIVE_MS} ms; bare Fastify: ${result.bareFastifyMaxRate} req/s; ` +
    `ratio ${result.ratio?.toFixed(2)}; supplier feed: ${result.supplierFeedMaxRate} msg/s with stream lag p95 < ${LAG_OBJECTIVE_SEC} s`,
);
