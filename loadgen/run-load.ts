import { rm } from 'node:fs/promises';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import type { GeneratorRecord, LatencyWindow } from '../lib/run-format.ts';
import { openJsonl } from '../lib/run-store/jsonl-sink.ts';
import { openRequestSink } from '../lib/run-store/request-sink.ts';
import { enginePaths, RUN_FILES, runFilePath } from '../lib/run-store/run-files.ts';
import { createRunDir } from '../lib/run-store/write-run-file.ts';
import type { EngineAccounting, LoadEngine, LoadTarget } from './engines/engine.ts';
import { ALL_TAG, LATE_LAG_US, RecordFolder, type TagTotals } from './fold-records.ts';
import { FileTailer } from './k6-points.ts';
import { assertPlan, intendedTotal, type LoadPlan, unsentBySecond } from './load-plan.ts';
import { formatRecord } from './request-record.ts';

/** Achieved below this fraction of the intended requests makes the run invalid. */
export const MIN_ACHIEVED_FRACTION = 0.95;
/** More unsent arrivals than this fraction of the intended ones makes the run invalid. */
export const MAX_UNSENT_FRACTION = 0.001;
/**
 * More sends later than LATE_LAG_US after their intended start than this fraction makes the run
 * invalid: the engine fell behind (scenarios/slo/harness.yaml `loadgen.late-sends` says the same).
 * Occasional lateness is charged to latency (it counts from the intended start), never hidden.
 */
export const MAX_LATE_FRACTION = 0.01;

export interface LoadProgress {
  /** Second of the run this line describes. */
  sec: number;
  /** Requests completed in that second. */
  rate: number;
  intendedRate: number | null;
  p95Ms: number | null;
  errors: number;
  /** Arrivals the engine did not send in that second. */
  unsent: number;
  totalRequests: number;
  totalErrors: number;
  totalUnsent: number;
}

export interface RunLoadOptions {
  engine: LoadEngine;
  plan: LoadPlan;
  target: LoadTarget;
  /** Run directory: requests.jsonl.gz, metrics.jsonl, the engine's files, logs/engine.log. */
  outDir: string;
  /** Called once per completion second (lags the clock by ~2 s while late records settle). */
  onSecond?: (p: LoadProgress) => void;
  /** Called with every LatencyWindow (by intended second, lagging by the timeout + 2 s) as it is stored. */
  onWindow?: (w: LatencyWindow) => void;
  /** Aborting stops the engine (SIGINT, then SIGKILL after `killGraceMs`); the run is then invalid. */
  signal?: AbortSignal;
  /** Epoch ms of run second 0; default: now. The schedule starts at the next `startDelayMs`. */
  runStartEpochMs?: number;
  /** Called with the engine's pid once it is spawned. */
  onStart?: (pid: number) => void;
  bin?: string;
  killGraceMs?: number;
  pollMs?: number;
  /** A send later than this after its intended start counts as late (default LATE_LAG_US). */
  lateLagUs?: number;
  /** ms between spawning the engine and the schedule's second 0 (ws-load; k6 starts when ready). */
  startDelayMs?: number;
}

/** The generator's self-check: did it do what the plan asked, on time? */
export interface GeneratorCheck {
  intended: number;
  /** Requests the engine recorded. */
  achieved: number;
  /** Arrivals never sent (k6: dropped iterations). */
  unsent: number;
  /** Requests sent more than `lateLagMs` after their intended start. */
  late: number;
  lateLagMs: number;
  /** p99 and max of send minus intended start (ms); null without records. */
  lagP99Ms: number | null;
  lagMaxMs: number | null;
  /** The engine's CPU seconds, when it reports them. */
  engineCpuSec: number | null;
  engineMaxRssMiB: number | null;
}

export interface LoadRunSummary extends GeneratorCheck {
  engine: string;
  exitCode: number | null;
  signal: string | null;
  aborted: boolean;
  /** Epoch ms of second 0 of the windows. */
  startEpochMs: number;
  /** Per-tag totals folded from the records (`*` first). */
  tags: TagTotals[];
  /** False when the generator did not do what was planned: the run's verdict is unknown. */
  valid: boolean;
  reason?: string;
  records: number;
  windows: number;
  files: { requests: string; metrics: string; log: string } & Record<string, string>;
}

/** Validity of a load run: every reason the generator's measurement cannot be trusted. */
export function judgeValidity(r: {
  aborted: boolean;
  exitProblem?: string | undefined;
  intended: number;
  achieved: number;
  unsent: number;
  late: number;
  lateLagMs?: number;
  lagP99Ms?: number | null;
  /** Stricter bounds for a bench (default MAX_UNSENT_FRACTION, MAX_LATE_FRACTION). */
  maxUnsentFraction?: number;
  maxLateFraction?: number;
}): { valid: boolean; reason?: string } {
  const reasons: string[] = [];
  if (r.aborted) reasons.push('the run was aborted');
  if (r.exitProblem) reasons.push(r.exitProblem);
  const maxUnsent = r.maxUnsentFraction ?? MAX_UNSENT_FRACTION;
  const maxLate = r.maxLateFraction ?? MAX_LATE_FRACTION;
  if (r.unsent > maxUnsent * r.intended)
    reasons.push(
      `the engine did not send ${r.unsent} of ${Math.round(r.intended)} intended arrivals (> ${maxUnsent * 100} %)`,
    );
  if (r.late > maxLate * r.intended)
    reasons.push(
      `the engine sent ${r.late} requests more than ${r.lateLagMs ?? LATE_LAG_US / 1000} ms late (> ${maxLate * 100} % of the intended; p99 send lag ${r.lagP99Ms?.toFixed(1) ?? '?'} ms): it fell behind`,
    );
  if (r.intended > 0 && r.achieved < MIN_ACHIEVED_FRACTION * r.intended)
    reasons.push(
      `achieved ${r.achieved} of ${Math.round(r.intended)} intended requests (< ${MIN_ACHIEVED_FRACTION * 100} %)`,
    );
  return reasons.length === 0 ? { valid: true } : { valid: false, reason: reasons.join('; ') };
}

/**
 * Runs one engine on a plan: refuses a plan the engine cannot honour (exit 254) before anything
 * starts, then folds its records live into metrics.jsonl, keeps every record in
 * requests.jsonl.gz, and never leaves the engine running.
 */
export async function runLoad(o: RunLoadOptions): Promise<LoadRunSummary> {
  assertPlan(o.plan, o.engine.limits);
  const bin = o.bin ?? o.engine.resolve();
  await createRunDir(o.outDir, { logs: true });
  const runStart = o.runStartEpochMs ?? Date.now();
  // The engine may start its schedule later than asked when it was not ready in time; it says so
  // in its stream, and every later use of the start follows it.
  let scheduleStart = Math.max(runStart, Date.now() + (o.startDelayMs ?? 300));
  const started = await o.engine.start(bin, {
    plan: o.plan,
    target: o.target,
    outDir: o.outDir,
    scheduleStartEpochMs: scheduleStart,
  });
  const files = {
    ...started.files,
    requests: runFilePath(o.outDir, 'requests'),
    metrics: runFilePath(o.outDir, 'metrics'),
    log: started.files.log ?? enginePaths(o.outDir).log,
  };
  const child = started.child;
  const gz = await openRequestSink(o.outDir);
  if (child.pid !== undefined) o.onStart?.(child.pid);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stdout = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => {
    stdout = (stdout + d).slice(-1 << 16);
  });

  let aborted = false;
  let hardKill: NodeJS.Timeout | undefined;
  const onAbort = () => {
    aborted = true;
    child.kill('SIGINT');
    hardKill = setTimeout(() => child.kill('SIGKILL'), o.killGraceMs ?? 5000);
  };
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener('abort', onAbort, { once: true });

  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });

  const tailer = new FileTailer(started.rawPath);
  const base = { runStartEpochMs: runStart, scheduleStartEpochMs: scheduleStart, plan: o.plan };
  // Two folds of the same records: by completion second for the live progress line, and by
  // intended second (lagging by the request timeout) for metrics.jsonl, which the checkers read.
  const live = new RecordFolder({ ...base, bin: 'completion' });
  const issued = new RecordFolder({
    ...base,
    bin: 'issue',
    lateSec: Math.ceil(o.plan.timeoutSec) + 2,
    lateLagUs: o.lateLagUs ?? LATE_LAG_US,
  });
  const metrics = openJsonl(o.outDir, RUN_FILES.metrics);
  let windows = 0;
  const store = (ws: LatencyWindow[]) => {
    for (const w of ws) {
      windows++;
      metrics.append(w);
      o.onWindow?.(w);
    }
  };
  const totals = { requests: 0, errors: 0, unsent: 0 };
  const emit = (ws: LatencyWindow[]) => {
    for (const w of ws) {
      if (w.tag !== ALL_TAG) continue;
      totals.requests += w.count;
      totals.errors += w.errors;
      totals.unsent += w.droppedIterations ?? 0;
      if (!o.onSecond) continue;
      const h = w.count > 0 ? decodeFromCompressedBase64(w.hdr) : null;
      o.onSecond({
        sec: w.sec,
        rate: w.count,
        intendedRate: w.intendedRate ?? null,
        p95Ms: h ? h.getValueAtPercentile(95) / 1000 : null,
        errors: w.errors,
        unsent: w.droppedIterations ?? 0,
        totalRequests: totals.requests,
        totalErrors: totals.errors,
        totalUnsent: totals.unsent,
      });
    }
  };
  const feed = (lines: string[]) => {
    // One gzip write per batch of lines: a write per record cost more than parsing and both folds.
    let out = '';
    for (const l of lines) {
      const e = started.parse(l);
      if (!e) continue;
      if ('record' in e) {
        live.add(e.record);
        issued.add(e.record);
        out += formatRecord(e.record);
      } else if ('unsent' in e) {
        live.addUnsent(e.unsent.epochMs, e.unsent.n);
        issued.addUnsent(e.unsent.epochMs, e.unsent.n);
      } else {
        scheduleStart = e.scheduleStartEpochMs;
        live.setScheduleStart(scheduleStart);
        issued.setScheduleStart(scheduleStart);
      }
    }
    if (out.length > 0) gz.write(out);
  };

  let accounting: EngineAccounting;
  try {
    const poll = o.pollMs ?? 250;
    while (!done) {
      feed(await tailer.read());
      // Seconds pass even when the target answers nothing: let the live fold move on.
      live.advance(Date.now() - 1000);
      emit(live.drain());
      store(issued.drain());
      await Promise.race([exited, new Promise((r) => setTimeout(r, poll))]);
    }
    feed(await tailer.finish());
    const exit = await exited;
    accounting = await started.finish({ ...exit, stdout });
    // ws-load reports how many arrivals of each flow it sent: the rest were due where the plan says.
    for (const f of accounting.flows ?? []) {
      const flow = o.plan.flows.find((p) => p.name === f.flow);
      if (!flow) continue;
      for (const [sec, n] of unsentBySecond(flow, f.sent)) {
        live.addUnsent(scheduleStart + sec * 1000, n);
        issued.addUnsent(scheduleStart + sec * 1000, n);
      }
    }
    emit(live.finish());
    store(issued.finish());
  } finally {
    if (!done) {
      child.kill('SIGKILL');
      await exited;
    }
    child.stdin?.destroy();
    clearTimeout(hardKill);
    o.signal?.removeEventListener('abort', onAbort);
    process.removeListener('exit', killOnExit);
    await metrics.close();
    await gz.end();
    await rm(started.rawPath, { force: true });
  }

  const { code, signal } = await exited;
  const tags = issued.tagTotals();
  const achieved = tags.find((t) => t.tag === ALL_TAG)?.count ?? 0;
  const unsent = Math.max(issued.droppedIterations, accounting.dropped ?? 0);
  const intended = intendedTotal(o.plan);
  const lagP99 = issued.lagPercentileUs(99);
  const lagMax = issued.lagPercentileUs(100);
  const check: GeneratorCheck = {
    intended,
    achieved,
    unsent,
    late: issued.lateSends,
    lateLagMs: (o.lateLagUs ?? LATE_LAG_US) / 1000,
    lagP99Ms: lagP99 === null ? null : lagP99 / 1000,
    lagMaxMs: lagMax === null ? null : lagMax / 1000,
    engineCpuSec: accounting.cpuSec,
    engineMaxRssMiB: accounting.maxRssKiB === null ? null : Math.round(accounting.maxRssKiB / 102.4) / 10,
  };
  const verdict = judgeValidity({ aborted, exitProblem: accounting.exitProblem, ...check });
  return {
    engine: o.engine.name,
    exitCode: code,
    signal,
    aborted,
    startEpochMs: runStart,
    tags,
    ...check,
    ...verdict,
    records: issued.records,
    windows,
    files,
  };
}

/** What generator.json keeps of a load run. */
export function generatorRecord(r: LoadRunSummary): GeneratorRecord {
  return {
    engine: r.engine,
    intended: r.intended,
    achieved: r.achieved,
    unsent: r.unsent,
    late: r.late,
    lateLagMs: r.lateLagMs,
    lagP99Ms: r.lagP99Ms,
    lagMaxMs: r.lagMaxMs,
    engineCpuSec: r.engineCpuSec,
    engineMaxRssMiB: r.engineMaxRssMiB,
    valid: r.valid,
    ...(r.reason ? { reason: r.reason } : {}),
  };
}
