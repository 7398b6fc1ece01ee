/**
 * `npm run bench:system` (issue 3): on the running stack (`windshear up`), with the load engine (ws-load unless WINDSHEAR_ENGINE says otherwise) through HAProxy:
 *   1. the highest search rate this machine sustains with p95 <= 40 ms (seed 000), under 1 %
 *      dropped iterations and under 1 % errors, stepping the arrival rate up by x1.5 after an
 *      unmeasured warm-up step (JIT, connection pools, the price cache);
 *   2. the same for a bare Fastify endpoint in its own process (the ceiling of the engine + Node here);
 *   3. their ratio: 1 and 2 alternate `--reps` times (default 3), and the ratio is the median
 *      search over the median ceiling, with each adjacent pair's ratio and their range beside it
 *      (capacity-reps.ts says why);
 *   4. the supplier-feed rate (msg/s through ingest → Kafka → stream → sinks) the pipeline
 *      sustains with consumer lag p95 < 5 s (seed 000), stepping the feed rate up; the rate
 *      counted is what reached `supplier.raw` (its high watermarks), not what was asked for.
 *   0. first, what the idle stack burns: CPU of every component over `--idle-sec` (default 60)
 *      with no load (issue 13: <= 0.15 cores);
 * Writes test-artifacts/bench-system.json.
 * Loopback and the stack's own namespace addresses only; every step is bounded in time.
 * Usage: node --import tsx bench/system.ts [--max-rate 20000] [--settle-sec 150] [--idle-sec 60] [--step-sec 15] [--reps 3] [--feed-step-sec 30] [--skip-feed] [--skip-search]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { platformFor } from '../chaos/platforms/platform-for.ts';
import { REPO_ROOT } from '../lib/paths.ts';
import type { ConsumerLagSample } from '../lib/run-format.ts';
import { DEFAULT_AIRPORTS, DEFAULT_DATES, discoverFlightIds } from '../loadgen/catalogue.ts';
import type { LoadEngine } from '../loadgen/engines/engine.ts';
import { engineByName } from '../loadgen/engines/index.ts';
import type { LoadPlan } from '../loadgen/load-plan.ts';
import { runLoad } from '../loadgen/run-load.ts';
import { setSupplierFeedRate } from '../loadgen/supplier-feed.ts';
import { consumerLagProbe } from '../scenarios/probes/consumer-lag-probe.ts';
import { parsePromText } from '../scenarios/probes/prom-text.ts';
import { warmUp } from '../scenarios/run/stack-calls.ts';
import { DEFAULT_API_KEY, GROUPS, TOPICS } from '../system/contracts.ts';
import { KafkaConnection } from '../system/lib/kafka.ts';
import { summarizeCapacity } from './capacity-reps.ts';
import { cpuWindow, formatByKind, formatMachine, type MachineCpu, measureIdleCpu } from './idle-cpu.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const STEP_SEC = arg('step-sec', 15);
const REPS = arg('reps', 3);
if (!Number.isInteger(REPS) || REPS < 1) {
  console.error(
    `bench:system: --reps must be a whole number >= 1 (got ${process.argv[process.argv.indexOf('--reps') + 1]}); the default is 3`,
  );
  process.exit(254);
}
const FEED_STEP_SEC = arg('feed-step-sec', 30);
const P95_OBJECTIVE_MS = 40;
const LAG_OBJECTIVE_SEC = 5;
/** Unsent arrivals tolerated per step, as a share of those intended. */
const MAX_DROPPED_SHARE = 0.01;
const WARM_UP_SEC = 5;
/**
 * The engine without its refusal limit (as bench:loadgen lifts it): the limit is the rate it
 * starts on time with a target beside it, and above that a step shows it as unsent arrivals,
 * which break the step. Both endpoints are stepped with this one engine, so the bare-Fastify
 * ceiling is that of the engine and Node together here, as the ratio needs.
 */
const MAX_RATE = arg('max-rate', 20_000);
const engine: LoadEngine = (() => {
  const e = engineByName();
  return { ...e, limits: { ...e.limits, maxRate: MAX_RATE } };
})();
const log = (l: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${l}\n`);

const topology = (await platformFor('local')).current();
if (!topology?.components.some((c) => c.kind === 'service')) {
  console.error('bench:system needs the stack with its services: run `windshear up` first');
  process.exit(254);
}
const edge = `http://${topology.edge.host}:${topology.edge.port}`;

function searchOnly(rate: number, sec: number): LoadPlan {
  return {
    flows: [{ name: 'search', startRate: rate, stages: [{ target: rate, durationSec: sec }] }],
    timeoutSec: 10,
    seed: 1,
  };
}

interface Step {
  rate: number;
  p95Ms: number | null;
  errorRate: number;
  dropped: number;
  pass: boolean;
  /** Cores each component kind of the stack used during the step (the engine not counted). */
  stackCpuByKind: Record<string, number>;
  /** The whole machine during the step: busy (engine and kernel included) and stolen cores. */
  machine: MachineCpu;
  /** The ladder's repetition (1-based) this step belongs to. */
  rep: number;
  /**
   * search-api only: the share of answers served again from its 100 ms in-process copy (L1);
   * null when a replica's counter could not be read or no answer was counted.
   */
  l1Share?: number | null;
}

/**
 * Search answers every search-api replica has given so far, by source (ws_search_answers_total).
 * Throws, naming each replica whose /metrics did not answer, rather than count it as none.
 */
async function searchAnswers(): Promise<{ l1: number; computed: number }> {
  const replicas = topology!.components.filter((c) => c.service === 'search-api');
  const got = await Promise.allSettled(
    replicas.map(async (c) => {
      const r = await fetch(`http://${c.host}:${c.ports.http}/metrics`, {
        signal: AbortSignal.timeout(5_000),
      });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      return r.text();
    }),
  );
  const failed = got.flatMap((g, i) =>
    g.status === 'rejected' ? [`${replicas[i]?.name}: ${(g.reason as Error).message}`] : [],
  );
  if (failed.length > 0) throw new Error(`/metrics did not answer on ${failed.join('; ')}`);
  const texts = got.map((g) => (g.status === 'fulfilled' ? g.value : ''));
  const all = texts.flatMap(parsePromText).filter((x) => x.name === 'ws_search_answers_total');
  const sum = (source: string) =>
    all.filter((x) => x.labels.source === source).reduce((a, x) => a + x.value, 0);
  return { l1: sum('l1'), computed: sum('computed') };
}

async function loadStep(baseUrl: string, flightIds: string[], rate: number, sec: number, name: string) {
  // Only the summary is used: the step's records go with its directory, also when it throws.
  const outDir = await mkdtemp(join(tmpdir(), `ws-bench-${name}-`));
  try {
    return await runLoad({
      engine,
      plan: searchOnly(rate, sec),
      target: {
        baseUrl,
        apiKey: DEFAULT_API_KEY,
        runId: `bench-${name}-${rate}`,
        airports: DEFAULT_AIRPORTS,
        dates: DEFAULT_DATES,
        flightIds,
      },
      outDir,
    });
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/**
 * Warms up at `start`, then steps the arrival rate up x1.5 until a step breaks the objective,
 * then halves the gap between the last rate held and the first broken twice (while it is over
 * 10 %). A rate that holds at `--max-rate` (default 20,000) is reported as bounded there, not as
 * the endpoint's ceiling.
 */
async function stepSearch(
  name: string,
  baseUrl: string,
  flightIds: string[],
  start: number,
  rep: number,
): Promise<{ steps: Step[]; held: number; boundedByEngine: boolean }> {
  await loadStep(baseUrl, flightIds, start, WARM_UP_SEC, name);
  const steps: Step[] = [];
  const cap = engine.limits.maxRate;
  const answers = () => searchAnswers().catch((e: unknown) => e as Error);
  const step = async (rate: number) => {
    const answersBefore = name === 'search-api' ? await answers() : null;
    const cpu = cpuWindow();
    const r = await loadStep(baseUrl, flightIds, rate, STEP_SEC, name);
    const window = cpu.end();
    let l1Share: number | null | undefined;
    if (answersBefore) {
      const a = await answers();
      if (answersBefore instanceof Error || a instanceof Error) {
        l1Share = null;
        log(`${name}: L1 share unknown: ${(a instanceof Error ? a : (answersBefore as Error)).message}`);
      } else {
        const l1 = a.l1 - answersBefore.l1;
        const computed = a.computed - answersBefore.computed;
        l1Share = l1 + computed > 0 ? l1 / (l1 + computed) : null;
      }
    }
    const stackCpuByKind = window.byKind;
    const all = r.tags.find((t) => t.tag === '*');
    const errorRate = all?.count ? all.errors / all.count : 1;
    const p95Ms = all?.p95Ms ?? null;
    const pass =
      r.unsent <= rate * STEP_SEC * MAX_DROPPED_SHARE &&
      errorRate < 0.01 &&
      p95Ms !== null &&
      p95Ms <= P95_OBJECTIVE_MS;
    steps.push({
      rate,
      p95Ms,
      errorRate,
      dropped: r.unsent,
      pass,
      stackCpuByKind,
      machine: window.machine,
      rep,
      ...(l1Share === undefined ? {} : { l1Share }),
    });
    const l1 =
      l1Share === undefined
        ? ''
        : `, ${l1Share === null ? 'unknown share' : `${(l1Share * 100).toFixed(0)} %`} of answers from L1`;
    log(
      `${name} #${rep}: ${rate} req/s → p95 ${p95Ms?.toFixed(1)} ms, errors ${(errorRate * 100).toFixed(2)} %, unsent ${r.unsent}${l1} → ${pass ? 'holds' : 'breaks'} (stack CPU: ${formatByKind(stackCpuByKind)}; ${formatMachine(window)})`,
    );
    return pass;
  };
  let held = 0;
  let broke = 0;
  for (let rate = Math.min(start, cap); ; rate = Math.min(cap, Math.round(rate * 1.5))) {
    if (!(await step(rate))) {
      broke = rate;
      break;
    }
    held = rate;
    if (rate >= cap) {
      log(`${name} #${rep}: holds at ${cap} req/s, the bench's --max-rate: a lower bound`);
      return { steps, held, boundedByEngine: true };
    }
  }
  for (let i = 0; i < 2 && broke - held > held * 0.1; i++) {
    const mid = Math.round((held + broke) / 2);
    if (await step(mid)) held = mid;
    else broke = mid;
  }
  log(`${name} #${rep}: held ${held} req/s`);
  return { steps, held, boundedByEngine: false };
}

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

interface FeedStep {
  rate: number;
  /** Messages/s that reached supplier.raw during the step (its high watermarks). */
  achievedRate: number;
  lagP95Sec: number;
  lagMaxSec: number;
  pass: boolean;
  stackCpuByKind: Record<string, number>;
  machine: MachineCpu;
}

/** Messages in supplier.raw: the sum of its partitions' high watermarks. */
async function rawOffsets(admin: ReturnType<KafkaConnection['admin']>): Promise<number> {
  const hw = await admin.highWatermarks(TOPICS.supplierRaw.name);
  return Number([...hw.values()].reduce((a, b) => a + b, 0n));
}

async function stepFeed(): Promise<FeedStep[]> {
  const ingestUrls = topology!.components
    .filter((c) => c.service === 'ingest')
    .map((c) => `http://${c.host}:${c.ports.http}`);
  const brokers = topology!.components
    .filter((c) => c.kind === 'kafka')
    .map((c) => `${c.host}:${c.ports.client}`);
  const admin = new KafkaConnection({ clientId: 'ws-bench-system', brokers }).admin();
  const probe = consumerLagProbe(topology!);
  const out: FeedStep[] = [];
  try {
    // Unmeasured: the stream's first transaction waits for Kafka to create and load
    // __transaction_state (~6 s on a loaded machine; nothing is fed at idle, so that happens
    // here). Wait until every partition of supplier.raw has a committed offset for the group.
    const warm = Date.now();
    await setSupplierFeedRate(ingestUrls, 50);
    let committed = 0;
    while (Date.now() - warm < 240_000) {
      const c = await admin.committed(GROUPS.stream, TOPICS.supplierRaw.name).catch(() => new Map());
      committed = [...c.values()].filter((o) => o >= 0n).length;
      if (committed >= TOPICS.supplierRaw.partitions) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    log(
      `stream warm-up: ${committed}/${TOPICS.supplierRaw.partitions} partitions committed after ${((Date.now() - warm) / 1000).toFixed(0)} s`,
    );
    for (const rate of [50, 100, 250, 500, 1000, 2000, 3000, 4000, 5000, 6000, 8000]) {
      const set = await setSupplierFeedRate(ingestUrls, rate);
      const down = set.filter((r) => !r.ok);
      if (down.length > 0) throw new Error(`feed rate not set on ${down.map((r) => r.url).join(', ')}`);
      const lags: number[] = [];
      const cpu = cpuWindow();
      const t0 = Date.now();
      const first = await rawOffsets(admin);
      const deadline = t0 + FEED_STEP_SEC * 1000;
      while (Date.now() < deadline) {
        const s = await probe.sample();
        const g = (s.data as ConsumerLagSample).groups?.find((x) => x.group === GROUPS.stream);
        if (s.ok && g) lags.push(g.lagSec);
        await new Promise((r) => setTimeout(r, 1000));
      }
      const achievedRate = (await rawOffsets(admin)) - first;
      const perSec = achievedRate / ((Date.now() - t0) / 1000);
      const window = cpu.end();
      const stackCpuByKind = window.byKind;
      lags.sort((a, b) => a - b);
      const lagP95Sec =
        lags[Math.min(lags.length - 1, Math.floor(lags.length * 0.95))] ?? Number.POSITIVE_INFINITY;
      const lagMaxSec = lags.at(-1) ?? Number.POSITIVE_INFINITY;
      // Held: lag within the objective and at least 95 % of the asked rate reached Kafka.
      const pass = lagP95Sec < LAG_OBJECTIVE_SEC && perSec >= rate * 0.95;
      out.push({
        rate,
        achievedRate: Math.round(perSec),
        lagP95Sec,
        lagMaxSec,
        pass,
        stackCpuByKind,
        machine: window.machine,
      });
      log(
        `supplier feed ${rate} msg/s asked, ${perSec.toFixed(0)} msg/s reached Kafka → stream lag p95 ${lagP95Sec.toFixed(1)} s, max ${lagMaxSec.toFixed(1)} s → ${pass ? 'holds' : 'breaks'} (stack CPU: ${formatByKind(stackCpuByKind)}; ${formatMachine(window)})`,
      );
      if (!pass) break;
    }
  } finally {
    await setSupplierFeedRate(ingestUrls, 0);
    await probe.close?.();
    await admin.disconnect().catch(() => undefined);
  }
  return out;
}

const IDLE_SEC = arg('idle-sec', 60);
/**
 * After `up` the stack is still settling, and the idle window waits that out. Three runs of
 * 30 s windows counted from the moment `up` returned (4 December): 0.190-0.196 cores in the
 * first (JIT, consumer groups joining, the index's first refreshes), 0.127-0.151 in the
 * second, 0.136-0.195 in the windows ending at 90 and 120 s, then 0.103-0.141 in every window
 * from 120 s on (to 420 s in the longest run). In that rise each service's main thread spent
 * 60-170 ms in one or two 5 s samples, at the time `--trace-gc` shows V8's memory reducer
 * compacting its start-up heap (`Mark-Compact (reduce)`, 73-106 s after the process started).
 * With a 30-60 s settle the idle window caught the rise: session 17's four runs read
 * 0.157-0.226. The settle is measured too, in 30 s windows, so each run prints its own curve.
 */
const SETTLE_SEC = arg('settle-sec', 150);
const settleCores: number[] = [];
if (SETTLE_SEC > 0) {
  log(`idle stack: letting it settle ${SETTLE_SEC} s first (--settle-sec), its CPU in 30 s windows`);
  for (let left = SETTLE_SEC; left > 0; left -= 30) {
    const w = await measureIdleCpu(Math.min(30, left));
    settleCores.push(w.cores);
    log(
      `idle stack settling: ${w.cores.toFixed(3)} cores over ${w.sec.toFixed(0)} s (${formatByKind(w.byKind)})`,
    );
  }
}
log(`idle stack: CPU of every component over ${IDLE_SEC} s, no load`);
const idle = await measureIdleCpu(IDLE_SEC);
log(
  `idle stack: ${idle.cores.toFixed(3)} cores (${Object.entries(idle.byKind)
    .map(([k, v]) => `${k} ${v.toFixed(3)}`)
    .join(', ')}; ${formatMachine(idle)})`,
);

const hints = { airports: DEFAULT_AIRPORTS, dates: DEFAULT_DATES };
const flights = await discoverFlightIds(edge, hints, { max: 100 });

type Ladder = Awaited<ReturnType<typeof stepSearch>>;
const system: Ladder[] = [];
const ceiling: Ladder[] = [];
/**
 * The first ladder starts at 100 req/s (the ci load is ~20); a repetition starts two x1.5 steps
 * under what the previous one of its endpoint held, so it takes ~6 steps, not ~14.
 */
const startOf = (prev: Ladder | undefined) =>
  prev && prev.held > 0 ? Math.max(100, Math.round(prev.held / 2.25)) : 100;
if (!process.argv.includes('--skip-search')) {
  // As run-scenario does before time zero: every search of the load once (each replica caches
  // the queries the edge sends it), unmeasured.
  const warmed = await warmUp(edge, flights, { durationMs: 30_000 });
  log(
    `search through HAProxy (after ${warmed} unmeasured warm-up requests), then the bare Fastify endpoint (the ceiling), ${REPS} times`,
  );
  for (let rep = 1; rep <= REPS; rep++) {
    system.push(await stepSearch('search-api', edge, flights, startOf(system.at(-1)), rep));
    const bare = await startBareFastify();
    try {
      ceiling.push(await stepSearch('bare-fastify', bare.url, flights, startOf(ceiling.at(-1)), rep));
    } finally {
      bare.child.kill('SIGTERM');
    }
    const pair = system.at(-1)!.held / (ceiling.at(-1)!.held || Number.NaN);
    log(
      `repetition ${rep}/${REPS}: search ${system.at(-1)!.held} req/s, bare Fastify ${ceiling.at(-1)!.held} req/s, ratio ${pair.toFixed(2)}`,
    );
  }
}
const capacity = summarizeCapacity(
  system.map((l) => l.held),
  ceiling.map((l) => l.held),
);
const searchBounded = system.some((l) => l.boundedByEngine);
const bareBounded = ceiling.some((l) => l.boundedByEngine);
const feed = process.argv.includes('--skip-feed') ? [] : await stepFeed();
const result = {
  idleCores: idle.cores,
  idleByKind: idle.byKind,
  /** The stack's cores in each 30 s window of the settle before the idle window. */
  settleCores,
  stepSec: STEP_SEC,
  engine: engine.name,
  /** Medians over the repetitions; each repetition's reading is in `capacity`. */
  searchMaxRate: capacity.searchMedian,
  searchBoundedByEngine: searchBounded,
  bareFastifyMaxRate: capacity.bareMedian,
  // A ceiling bounded by the engine is a lower bound, so the ratio is then an upper bound.
  bareFastifyBoundedByEngine: bareBounded,
  ratio: capacity.ratio,
  capacity,
  supplierFeedMaxRate: feed.filter((f) => f.pass).at(-1)?.achievedRate ?? 0,
  steps: { search: system.flatMap((l) => l.steps), bare: ceiling.flatMap((l) => l.steps), feed },
};
console.log(JSON.stringify(result, null, 2));
await mkdir(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
await writeFile(
  join(REPO_ROOT, 'test-artifacts', 'bench-system.json'),
  `${JSON.stringify(result, null, 2)}\n`,
);
console.error(
  `\nidle stack: ${idle.cores.toFixed(3)} cores (target <= 0.15); search: ${result.searchMaxRate} req/s with p95 <= ${P95_OBJECTIVE_MS} ms (median of ${capacity.search.join(', ')}); bare Fastify: ${bareBounded ? '>= ' : ''}${result.bareFastifyMaxRate} req/s (median of ${capacity.bare.join(', ')}); ` +
    `ratio ${bareBounded ? '<= ' : ''}${result.ratio?.toFixed(2)} (pairs ${capacity.pairRatios.map((r) => r?.toFixed(2) ?? 'n/a').join(', ')}); supplier feed: ${result.supplierFeedMaxRate} msg/s with stream lag p95 < ${LAG_OBJECTIVE_SEC} s`,
);
