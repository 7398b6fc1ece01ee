import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { localPlatform } from '../chaos/platforms/local/local-platform.ts';
import type { Platform } from '../chaos/platforms/platform.ts';
import {
  applyFault,
  checkFaultSpec,
  type FaultDeps,
  healAll,
  healProblems,
  installHealOnSignals,
  type PreparedFault,
  prepareFault,
  recoverFault,
  sleep,
} from '../chaos/run-fault.ts';
import { EXIT, type Problem, WindshearError } from '../lib/errors.ts';
import { StackObserver } from '../lib/observe/stack-observer.ts';
import { paths } from '../lib/paths.ts';
import type { HistoryEvent, Phase, RunPlan, RunResults } from '../lib/run-format.ts';
import { DEFAULT_AIRPORTS, DEFAULT_DATES, discoverFlightIds } from '../loadgen/catalogue.ts';
import { engineByName } from '../loadgen/engines/index.ts';
import { keysOf, runLedger } from '../loadgen/ledger/ledger-client.ts';
import { readBack } from '../loadgen/ledger/read-back.ts';
import { planProblems } from '../loadgen/load-plan.ts';
import { type LoadSpec, loadPlanFor } from '../loadgen/profiles.ts';
import { generatorRecord, type LoadProgress, type LoadRunSummary, runLoad } from '../loadgen/run-load.ts';
import { setSupplierFeedRate } from '../loadgen/supplier-feed.ts';
import { judgeRunDir } from '../reports/checks/judge.ts';
import { renderRun } from '../reports/render/render-run.ts';
import { AUTH_HEADER, DEFAULT_API_KEY, ROUTES, TOPICS } from '../system/contracts.ts';
import { componentsOf, type Topology } from '../system/topology.ts';
import { checkSelectorIn } from './check-fault.ts';
import { collectEnvironment } from './environment.ts';
import { HistoryWriter } from './history-writer.ts';
import { loadScenario } from './load-scenario.ts';
import { boundsOf, loadSloTables } from './load-slo.ts';
import { planRun } from './plan.ts';
import { startProbes } from './probes/index.ts';
import type { RunClock } from './probes/sampler.ts';
import { PROFILES, type ProfileName } from './profiles.ts';
import type { Progress } from './progress.ts';
import { missingCapabilities } from './required-capabilities.ts';
import { runDirFor } from './run-dir.ts';

/** Default seed: runs are reproducible unless --seed says otherwise. */
export const DEFAULT_SEED = 1;
/** Longest wait for the stack to answer before load starts, and for lag to drain after it (ms). */
export const READY_BOUND_MS = 120_000;
export const DRAIN_BOUND_MS = 90_000;

export interface RunScenarioOptions {
  /** Catalogue name or path to a scenario file. */
  scenario: string;
  profile: ProfileName;
  scale?: number;
  seed?: number;
  /** Leave a stack this run brought up running afterwards. */
  keep?: boolean;
  /** Run directory; default reports/runs/<scenario>/<UTC stamp>. */
  outDir?: string;
  onProgress?: (p: Progress) => void;
  /** Short lines about what the runner does (bring-up, heal, drain). */
  onLog?: (line: string) => void;
  signal?: AbortSignal;
  /** Default: the local platform. */
  platform?: Platform;
  /** Load engine (`ws-load`, `k6`); default WINDSHEAR_ENGINE, else ws-load. */
  engine?: string;
}

export interface RunScenarioResult {
  runDir: string;
  results: RunResults;
  /** 130/143 when a signal stopped the run (faults were healed first), else null. */
  signalExit: number | null;
  load: LoadRunSummary | null;
  wallMs: number;
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Refuses before anything starts, with every problem at once (exit 254): the platform's
 * capabilities, each fault's static checks and, when a stack is already up (it may be another
 * profile's), whether each selector can match in its topology.
 */
export function preflightProblems(
  plan: RunPlan,
  scenario: Parameters<typeof missingCapabilities>[0],
  platform: Platform,
): Problem[] {
  const caps = platform.capabilities();
  const problems = missingCapabilities(scenario, caps);
  if (problems.length > 0) return problems;
  const topology = platform.current();
  return plan.faults.flatMap((f): Problem[] => [
    ...checkFaultSpec(
      { fault: f.fault, selector: f.selector, ...(f.params ? { params: f.params } : {}), forSec: f.forSec },
      caps,
      platform.name,
    ).map((p) => ({ ...p, message: `fault ${f.id}: ${p.message}` })),
    ...(topology ? checkSelectorIn(f.selector, topology) : []).map((p) => ({
      code: p.code,
      message: `fault ${f.id}: ${p.message}, the stack that is up`,
      ...(p.fix ? { fix: p.fix } : {}),
    })),
  ]);
}

/** Waits until the edge answers a search and every system topic's partitions have a leader. */
async function waitReady(topology: Topology, signal: AbortSignal, boundMs: number): Promise<void> {
  const edge = `http://${topology.edge.host}:${topology.edge.port}`;
  const observer = new StackObserver(topology, 1500);
  const started = Date.now();
  let last = 'not asked yet';
  try {
    while (Date.now() - started < boundMs && !signal.aborted) {
      try {
        const res = await fetch(
          `${edge}${ROUTES.search}?origin=LHR&destination=JFK&date=2026-12-01&limit=1`,
          {
            signal: AbortSignal.timeout(2000),
          },
        );
        await res.arrayBuffer();
        const k = await observer.kafka(Object.values(TOPICS).map((t) => t.name));
        const leaderless = k.data?.partitions.filter((p) => p.leader === null).length ?? -1;
        if (res.ok && k.ok && leaderless === 0) return;
        last = `edge HTTP ${res.status}, kafka ${k.ok ? `${leaderless} partitions without leader` : k.error}`;
      } catch (e) {
        last = errText(e);
      }
      await sleep(1000, signal);
    }
  } finally {
    await observer.close();
  }
  if (signal.aborted) return;
  throw new WindshearError(
    {
      code: 'stack-not-ready',
      message: `the stack did not become ready within ${boundMs / 1000} s (${last})`,
      fix: 'check `windshear status` and `windshear logs <component>`; `windshear down && windshear up` starts afresh',
    },
    EXIT.internal,
  );
}

/**
 * Unmeasured warm-up before time zero: searches and prices through the edge from `workers`
 * concurrent loops, for `durationMs` (at most `maxRequests`), so the first measured seconds do
 * not pay for cold caches and JIT. Never throws.
 */
export async function warmUp(
  edge: string,
  flightIds: readonly string[],
  opts: { durationMs?: number; workers?: number; maxRequests?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const until = Date.now() + (opts.durationMs ?? 8000);
  const max = opts.maxRequests ?? 2000;
  let sent = 0;
  const pairs = DEFAULT_AIRPORTS.flatMap((o) =>
    DEFAULT_AIRPORTS.filter((d) => d !== o).map((d) => [o, d] as const),
  );
  const loop = async () => {
    while (Date.now() < until && sent < max && !opts.signal?.aborted) {
      const i = sent++;
      const [o, d] = pairs[i % pairs.length] ?? ['LHR', 'JFK'];
      const flight = flightIds[i % Math.max(1, flightIds.length)];
      const url =
        i % 2 === 0 || !flight
          ? `${edge}${ROUTES.search}?origin=${o}&destination=${d}&date=${DEFAULT_DATES[i % DEFAULT_DATES.length]}`
          : `${edge}/v1/flights/${encodeURIComponent(flight)}/price`;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
        await res.arrayBuffer();
      } catch {
        // warm-up only
      }
    }
  };
  await Promise.all(Array.from({ length: opts.workers ?? 4 }, loop));
  return sent;
}

/** POST /v1/reservations/dlq/replay through the edge; never throws. */
async function dlqReplay(edge: string): Promise<string> {
  try {
    const res = await fetch(`${edge}${ROUTES.reservationDlqReplay}`, {
      method: 'POST',
      headers: { [AUTH_HEADER]: `Bearer ${DEFAULT_API_KEY}`, 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(30_000),
    });
    return `dlq-replay: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`;
  } catch (e) {
    return `dlq-replay failed: ${errText(e)}`;
  }
}

async function copyLogs(runDir: string): Promise<void> {
  const from = paths.logsDir();
  const to = join(runDir, 'logs');
  await mkdir(to, { recursive: true });
  const names = await readdir(from).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((n) => n.endsWith('.log'))
      .map((n) => copyFile(join(from, n), join(to, n)).catch(() => undefined)),
  );
}

/**
 * One run, as architecture.md's "One run": load + validate → plan → refuse what the platform
 * cannot do → bring the stack up if none is → wait ready → k6 │ ledger │ supplier feed │ fault
 * timeline │ samplers, all from one time zero → heal everything (always) → settle → drain actions
 * → drain lag and read back the ledger → write the run directory → judge → render.
 */
/**
 * How long before its planned time a fault's targets are resolved. The view reads every
 * component (1–9 s seen on a loaded 2-core machine); a selector's role (a partition leader, the Redis
 * primary) is read this long before the fault, which is then applied on its planned second.
 */
export const FAULT_PREPARE_LEAD_MS = 8000;

export async function runScenario(opts: RunScenarioOptions): Promise<RunScenarioResult> {
  const wallStart = Date.now();
  const log = opts.onLog ?? (() => {});
  const loaded = await loadScenario(opts.scenario, { profile: opts.profile });
  const { scenario } = loaded;
  const seed = opts.seed ?? DEFAULT_SEED;
  const plan = planRun(scenario, {
    profile: opts.profile,
    seed,
    ...(opts.scale !== undefined ? { scale: opts.scale } : {}),
  });
  const platform = opts.platform ?? localPlatform();
  const engine = engineByName(opts.engine);
  const load = (plan.k6 as { load: LoadSpec }).load;
  const loadPlan = loadPlanFor(load, plan.scale, { seed });
  const problems = [...preflightProblems(plan, scenario, platform), ...planProblems(loadPlan, engine.limits)];
  if (problems.length > 0) throw new WindshearError(problems, EXIT.badInput);
  const engineBin = engine.resolve();

  const runDir = opts.outDir ?? runDirFor(scenario.name);
  await mkdir(runDir, { recursive: true });
  await writeFile(join(runDir, 'scenario.json'), `${JSON.stringify(scenario, null, 2)}\n`);
  await writeFile(join(runDir, 'plan.json'), `${JSON.stringify(plan, null, 2)}\n`);

  let topology = platform.current();
  let broughtUp = false;
  if (!topology) {
    log(`no stack is up: bringing one up (profile ${PROFILES[opts.profile].topology})`);
    const up = await platform.up({ profile: PROFILES[opts.profile].topology, onProgress: log });
    topology = up.topology;
    broughtUp = true;
  }
  const edge = `http://${topology.edge.host}:${topology.edge.port}`;
  const ingestUrls = topology.components
    .filter((c) => c.service === 'ingest')
    .map((c) => `http://${c.host}:${c.ports.http}`);
  const pgHosts = componentsOf(topology, 'postgres').map((c) => `${c.host}:${c.ports.client}`);

  const abort = new AbortController();
  const onOuterAbort = () => abort.abort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let signalExit: number | null = null;
  let history: HistoryWriter | null = null;
  let loadRun: LoadRunSummary | null = null;
  let runStatus: 'completed' | 'aborted' | 'error' = 'completed';
  let runReason: string | undefined;
  const journalPath = paths.journal();

  // The run's time zero: one monotonic/epoch pair shared by the load engine, the ledger, faults and samplers.
  let perfStart = performance.now();
  let epochStart = Date.now();
  const clock: RunClock = {
    t: () => Math.round(performance.now() - perfStart),
    wall: () => new Date().toISOString(),
  };
  const emit = (e: HistoryEvent) => history?.emit(e);
  const note = (level: 'info' | 'warn' | 'error', message: string) => {
    emit({ kind: 'note', t: clock.t(), wall: clock.wall(), level, message });
    log(message);
  };
  /** Structured evidence that a fault did not run as planned, for the judge (reports/checks/plan-deviations.ts). */
  const faultError = (faultId: string, stage: 'inject' | 'heal', problems: readonly Problem[]) =>
    emit({
      kind: 'fault-error',
      t: clock.t(),
      wall: clock.wall(),
      faultId,
      stage,
      codes: problems.map((p) => p.code),
      message: problems.map((p) => p.message).join('; '),
    });
  const signals = installHealOnSignals({
    platform,
    journalPath,
    onEvent: emit,
    clock,
    log,
    // First call (heal done): let the run finish writing what it has; a later one exits now.
    exit: (code) => {
      if (signalExit !== null) process.exit(code);
      signalExit = code;
      abort.abort();
    },
  });
  signals.signal.addEventListener('abort', () => abort.abort(), { once: true });

  try {
    log(`waiting until the stack is ready (edge ${edge})`);
    await waitReady(topology, abort.signal, READY_BOUND_MS);
    const hints = { airports: DEFAULT_AIRPORTS, dates: DEFAULT_DATES };
    const flightIds = await discoverFlightIds(edge, hints);
    if (flightIds.length === 0)
      log('warning: no flights found through the edge; price, reserve and book will search instead');
    // The feed is background load: it starts before the warm-up so time zero finds a steady state.
    const feed = await setSupplierFeedRate(ingestUrls, plan.supplierFeedPerSec);
    const feedFailed = feed.filter((f) => !f.ok).map((f) => `${f.url} (${f.error})`);
    if (feedFailed.length > 0) log(`warning: supplier feed rate not set on ${feedFailed.join(', ')}`);
    const warm = await warmUp(edge, flightIds, { signal: abort.signal });
    log(`warmed up with ${warm} unmeasured requests`);
    await writeFile(
      join(runDir, 'environment.json'),
      `${JSON.stringify(collectEnvironment(platform.name, seed, plan.scale), null, 2)}\n`,
    );
    history = new HistoryWriter(join(runDir, 'history.jsonl'));

    perfStart = performance.now();
    epochStart = Date.now();
    emit({
      kind: 'run-start',
      t: 0,
      wall: clock.wall(),
      scenario: scenario.name,
      profile: plan.profile,
      scale: plan.scale,
      seed,
    });
    const samplers = startProbes(scenario.probes, topology, clock, emit);
    if (feedFailed.length > 0) note('warn', `supplier feed rate not set on ${feedFailed.join(', ')}`);

    // Phases on the planned timeline (drain is emitted when the load has really ended).
    let phase: Progress['phase'] = 'baseline';
    const setPhase = (p: Phase) => {
      phase = p;
      emit({ kind: 'phase', t: clock.t(), wall: clock.wall(), phase: p });
    };
    setPhase('baseline');
    const phaseTimers = plan.phases
      .filter((p) => p.phase !== 'drain' && p.atSec > 0)
      .map((p) => setTimeout(() => setPhase(p.phase), p.atSec * 1000 - clock.t()));

    // Progress every second, from the engine's folded seconds and the history's latest samples.
    let loadLast: LoadProgress | null = null;
    let progressNote: string | undefined;
    const progress = () =>
      opts.onProgress?.({
        scenario: scenario.name,
        phase,
        elapsedSec: clock.t() / 1000,
        totalSec: plan.durationSec,
        rate: loadLast?.rate ?? null,
        loadSec: loadLast?.sec ?? null,
        intendedRate: loadLast?.intendedRate ?? null,
        p95Ms: loadLast?.p95Ms ?? null,
        errors: loadLast?.totalErrors ?? 0,
        activeFaults: history?.state().activeFaults ?? [],
        lag: history?.state().lag ?? null,
        ...(progressNote ? { note: progressNote } : {}),
      });
    const progressTimer = setInterval(progress, 1000);

    const deps: FaultDeps = { platform, journalPath, onEvent: emit, clock };
    const prepared: PreparedFault[] = [];
    const faultRuns = plan.faults.map(async (f) => {
      // Resolve the targets (a cluster view of every component: seconds under load) ahead of the
      // planned time, then apply on it: a late fault misses the phase it is judged in.
      await sleep(f.atSec * 1000 - FAULT_PREPARE_LEAD_MS - clock.t(), abort.signal);
      if (abort.signal.aborted) return;
      try {
        const p = await prepareFault(
          {
            faultId: f.id,
            fault: f.fault,
            selector: f.selector,
            ...(f.params ? { params: f.params } : {}),
            forSec: f.forSec,
            seed,
          },
          deps,
        );
        prepared.push(p);
        await sleep(f.atSec * 1000 - clock.t(), abort.signal);
        if (abort.signal.aborted) return;
        const { aborted } = await applyFault(p, deps, abort.signal);
        if (!aborted) await sleep(f.forSec * 1000, abort.signal);
        const heal = await recoverFault(p, deps);
        const left = healProblems(heal);
        for (const pr of left) note('error', `${f.id}: ${pr.message}`);
        if (left.length > 0) faultError(f.id, 'heal', left);
      } catch (e) {
        const problems: Problem[] =
          e instanceof WindshearError ? e.problems : [{ code: 'internal', message: errText(e) }];
        const msg = problems.map((p) => p.message).join('; ');
        note('error', `fault ${f.id} (${f.fault} on ${f.selector}) was not injected as planned: ${msg}`);
        faultError(f.id, 'inject', problems);
      }
    });

    const ledgerOut = join(runDir, 'ledger.jsonl');
    await writeFile(ledgerOut, '');
    const runId = `${scenario.name}-${epochStart.toString(36)}`;
    const [loadResult, ledgerOps] = await Promise.all([
      runLoad({
        engine,
        bin: engineBin,
        plan: loadPlan,
        target: {
          baseUrl: edge,
          apiKey: DEFAULT_API_KEY,
          runId,
          airports: hints.airports,
          dates: hints.dates,
          flightIds,
        },
        outDir: runDir,
        signal: abort.signal,
        runStartEpochMs: epochStart,
        onSecond: (p) => {
          loadLast = p;
        },
      }),
      runLedger({
        edgeUrl: edge,
        apiKey: DEFAULT_API_KEY,
        ingestUrls,
        reservationsPerSec: plan.ledger.reservationsPerSec,
        fareUpdatesPerSec: plan.ledger.fareUpdatesPerSec,
        durationSec: plan.durationSec,
        flightIds,
        runId,
        runStartPerfMs: perfStart,
        out: ledgerOut,
        signal: abort.signal,
      }),
      Promise.all(faultRuns),
    ]);
    loadRun = loadResult;
    await writeFile(
      join(runDir, 'generator.json'),
      `${JSON.stringify(generatorRecord(loadResult), null, 2)}\n`,
    );
    for (const t of phaseTimers) clearTimeout(t);

    // Heal everything (faults recover themselves; this catches what they could not).
    const healed = await healAll(platform, journalPath, { onEvent: emit, clock });
    for (const pr of healProblems(healed)) note('error', pr.message);
    const none = { healed: 0, failed: [], unresolved: [], skipped: 0 };
    for (const x of healed.failed) faultError(x.faultId, 'heal', healProblems({ ...none, failed: [x] }));
    for (const x of healed.unresolved)
      faultError(x.faultId, 'heal', healProblems({ ...none, unresolved: [x] }));
    if (healed.healed > 0)
      note('warn', `healed ${healed.healed} step(s) left outstanding after the fault timeline`);

    setPhase('drain');
    if (!abort.signal.aborted) {
      progressNote = `settling ${scenario.settleSec} s`;
      await sleep(scenario.settleSec * 1000, abort.signal);
      for (const action of scenario.drainActions) {
        if (action === 'dlq-replay') note('info', await dlqReplay(edge));
      }
      // Quiet the feed so the lag can reach 0, then wait for it (bounded).
      await setSupplierFeedRate(ingestUrls, 0);
      progressNote = 'draining consumer lag';
      const drainStart = Date.now();
      let lastEvents = -1;
      while (Date.now() - drainStart < DRAIN_BOUND_MS && !abort.signal.aborted) {
        const s = history.state();
        if (s.events !== lastEvents && s.lag && s.lag.offsets === 0) break;
        lastEvents = s.events;
        await sleep(1000, abort.signal);
      }
      const lagLeft = history.state().lag;
      if (lagLeft && lagLeft.offsets > 0)
        note(
          'warn',
          `consumer lag did not drain within ${DRAIN_BOUND_MS / 1000} s: ${lagLeft.offsets} messages left (${lagLeft.group})`,
        );
    }
    progressNote = 'reading back the ledger';
    try {
      const keys = keysOf(ledgerOps);
      const readback = await readBack({ hosts: pgHosts, user: 'postgres' }, { ...keys, flightIds });
      await writeFile(join(runDir, 'readback.json'), `${JSON.stringify(readback, null, 2)}\n`);
    } catch (e) {
      note('error', `ledger read-back failed: ${errText(e)}`);
    }
    clearInterval(progressTimer);
    const { skipped } = await samplers.stop();
    const slow = Object.entries(skipped).filter(([, n]) => n > 0);
    if (slow.length > 0)
      note(
        'info',
        `probe ticks skipped while the previous was running: ${slow.map(([n, c]) => `${n} ${c}`).join(', ')}`,
      );
    if (abort.signal.aborted) {
      runStatus = 'aborted';
      runReason = signalExit !== null ? `signal (exit ${signalExit}); faults healed` : 'aborted';
    }
  } catch (e) {
    runStatus = 'error';
    runReason = e instanceof WindshearError ? e.problems.map((p) => p.message).join('; ') : errText(e);
    note('error', `run failed: ${runReason}`);
    if (!history) throw e;
  } finally {
    // Always: heal every fault in the journal, whoever wrote it, and stop the feed.
    const healed = await healAll(platform, journalPath, { onEvent: emit, clock }).catch((e: unknown) => {
      log(`heal failed: ${errText(e)}; run \`windshear chaos heal\``);
      return null;
    });
    if (healed) for (const pr of healProblems(healed)) log(`${pr.message}\n  fix: ${pr.fix}`);
    await setSupplierFeedRate(ingestUrls, 0).catch(() => undefined);
    emit({
      kind: 'run-end',
      t: clock.t(),
      wall: clock.wall(),
      status: runStatus,
      ...(runReason ? { reason: runReason } : {}),
    });
    history?.close();
    signals.uninstall();
    opts.signal?.removeEventListener('abort', onOuterAbort);
    await copyLogs(runDir);
    if (broughtUp && !opts.keep) {
      log('taking down the stack this run brought up (--keep leaves it up)');
      await platform.down().catch((e: unknown) => log(`down failed: ${errText(e)}; run \`windshear down\``));
    }
  }

  const tables = await loadSloTables();
  const used = tables.filter((t) => t.rows.some((r) => scenario.slos.includes(r.id))).map((t) => t.file);
  const results = await judgeRunDir(runDir, loaded.slos, { sloTables: used, bounds: boundsOf(tables) });
  await renderRun(runDir);
  return { runDir, results, signalExit, load: loadRun, wallMs: Date.now() - wallStart };
}
