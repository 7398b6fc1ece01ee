import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, createWriteStream, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import type { LatencyWindow } from '../lib/run-format.ts';
import { ALL_TAG, PointFolder, type TagTotals } from './fold-points.ts';
import { k6ProcessEnv, resolveK6Bin } from './k6-bin.ts';
import { FileTailer, GzipSink, parsePointLine } from './k6-points.ts';
import { type K6Summary, readK6Summary } from './k6-summary.ts';
import { intendedTotal, type K6Options } from './profiles.ts';

/** Achieved below this fraction of the intended requests makes the run invalid. */
export const MIN_ACHIEVED_FRACTION = 0.95;

export interface K6Progress {
  /** Second of the run this line describes. */
  sec: number;
  /** Requests completed in that second. */
  rate: number;
  intendedRate: number | null;
  p95Ms: number | null;
  errors: number;
  droppedIterations: number;
  totalRequests: number;
  totalErrors: number;
  totalDropped: number;
}

export interface RunK6Options {
  /** k6 script path (e.g. loadgen/k6/traffic.ts). */
  script: string;
  options: K6Options;
  /** Passed as `-e KEY=VALUE` (the script's `__ENV`). */
  env?: Record<string, string>;
  /** Run directory: k6-config.json, k6-points.jsonl.gz, k6-summary.json, metrics.jsonl, logs/k6.log. */
  outDir: string;
  /** Called once per completion second (lags the clock by ~2-3 s: k6 flushes, late points settle). */
  onSecond?: (p: K6Progress) => void;
  /** Called with every LatencyWindow (by issue second, lagging by the request timeout + 2 s) as it is written to metrics.jsonl. */
  onWindow?: (w: LatencyWindow) => void;
  /** Aborting stops k6 (SIGINT, then SIGKILL after `killGraceMs`); the run is then invalid. */
  signal?: AbortSignal;
  /** Epoch ms of run second 0; default: k6's schedule start. */
  runStartEpochMs?: number;
  k6Bin?: string;
  /** Called with k6's pid once it is spawned (the bench samples its CPU from /proc). */
  onStart?: (pid: number) => void;
  killGraceMs?: number;
  pollMs?: number;
}

export interface K6RunSummary {
  exitCode: number | null;
  signal: string | null;
  aborted: boolean;
  /** Epoch ms of second 0 of the windows. */
  startEpochMs: number | null;
  /** Per-tag totals folded from the points (`*` first). */
  tags: TagTotals[];
  /** k6's own end-of-test summary (`--summary-export`), null when k6 wrote none. */
  k6: K6Summary | null;
  /** Requests the schedule asked for, and requests k6 completed (http_req_duration points). */
  intended: number;
  achieved: number;
  droppedIterations: number;
  /** False when the generator could not keep the schedule: the run's verdict is unknown. */
  valid: boolean;
  reason?: string;
  points: number;
  windows: number;
  files: { config: string; points: string; summary: string; metrics: string; log: string };
}

/** Validity of a load run: dropped iterations or too few requests mean the verdict is unknown. */
export function judgeValidity(r: {
  aborted: boolean;
  exitCode: number | null;
  intended: number;
  achieved: number;
  droppedIterations: number;
}): { valid: boolean; reason?: string } {
  const reasons: string[] = [];
  if (r.aborted) reasons.push('the run was aborted');
  // 99: thresholds crossed — not a generator problem; the harness judges SLOs itself.
  if (r.exitCode !== 0 && r.exitCode !== 99) reasons.push(`k6 exited with code ${r.exitCode}`);
  if (r.droppedIterations > 0)
    reasons.push(`k6 dropped ${r.droppedIterations} iterations (no free VU at their scheduled start)`);
  if (r.intended > 0 && r.achieved < MIN_ACHIEVED_FRACTION * r.intended)
    reasons.push(
      `achieved ${r.achieved} of ${Math.round(r.intended)} intended requests (< ${MIN_ACHIEVED_FRACTION * 100} %)`,
    );
  return reasons.length === 0 ? { valid: true } : { valid: false, reason: reasons.join('; ') };
}

/** Seconds of a k6 duration such as `10s` or `1500ms` (k6/traffic.ts's default timeout: 10 s). */
export function timeoutSec(d: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(d ?? '');
  if (!m) return 10;
  const v = Number(m[1]);
  return Math.ceil(m[2] === 'ms' ? v / 1000 : m[2] === 'm' ? v * 60 : v);
}

/** Runs k6 on `options`, folding its points live; never leaves k6 running. */
export async function runK6(o: RunK6Options): Promise<K6RunSummary> {
  const bin = o.k6Bin ?? resolveK6Bin();
  await mkdir(join(o.outDir, 'logs'), { recursive: true });
  const files = {
    config: join(o.outDir, 'k6-config.json'),
    points: join(o.outDir, 'k6-points.jsonl.gz'),
    summary: join(o.outDir, 'k6-summary.json'),
    metrics: join(o.outDir, 'metrics.jsonl'),
    log: join(o.outDir, 'logs', 'k6.log'),
  };
  const raw = join(o.outDir, 'k6-points.jsonl');
  await writeFile(files.config, `${JSON.stringify(o.options, null, 2)}\n`);
  await rm(raw, { force: true });
  await rm(files.summary, { force: true });

  const args = [
    'run',
    '--quiet',
    '--no-color',
    '--config',
    files.config,
    '--out',
    `json=${raw}`,
    '--summary-export',
    files.summary,
    ...Object.entries(o.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    o.script,
  ];
  const logFd = openSync(files.log, 'w');
  let child: ChildProcess;
  try {
    child = spawn(bin, args, { env: k6ProcessEnv(), stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  if (child.pid !== undefined) o.onStart?.(child.pid);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let aborted = false;
  const grace = o.killGraceMs ?? 5000;
  let hardKill: NodeJS.Timeout | undefined;
  const onAbort = () => {
    aborted = true;
    child.kill('SIGINT');
    hardKill = setTimeout(() => child.kill('SIGKILL'), grace);
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

  const gz = new GzipSink(files.points);
  const tailer = new FileTailer(raw, (chunk) => gz.write(chunk));
  const start = o.runStartEpochMs !== undefined ? { runStartEpochMs: o.runStartEpochMs } : {};
  // Two folds of the same points: by completion second for the live progress line, and by issue
  // second (lagging by the request timeout) for metrics.jsonl, which the checkers read.
  const folder = new PointFolder({ options: o.options, ...start });
  const issued = new PointFolder({
    options: o.options,
    ...start,
    bin: 'issue',
    lateSec: timeoutSec(o.env?.WS_HTTP_TIMEOUT) + 2,
  });
  const metrics = createWriteStream(files.metrics);
  let windows = 0;
  const store = (ws: LatencyWindow[]) => {
    for (const w of ws) {
      windows++;
      metrics.write(`${JSON.stringify(w)}\n`);
      o.onWindow?.(w);
    }
  };
  const totals = { requests: 0, errors: 0, dropped: 0 };
  const emit = (ws: LatencyWindow[]) => {
    for (const w of ws) {
      if (w.tag !== ALL_TAG) continue;
      totals.requests += w.count;
      totals.errors += w.errors;
      totals.dropped += w.droppedIterations ?? 0;
      if (o.onSecond) {
        const h = w.count > 0 ? decodeFromCompressedBase64(w.hdr) : null;
        o.onSecond({
          sec: w.sec,
          rate: w.count,
          intendedRate: w.intendedRate ?? null,
          p95Ms: h ? h.getValueAtPercentile(95) / 1000 : null,
          errors: w.errors,
          droppedIterations: w.droppedIterations ?? 0,
          totalRequests: totals.requests,
          totalErrors: totals.errors,
          totalDropped: totals.dropped,
        });
      }
    }
  };
  const feed = (lines: string[]) => {
    for (const l of lines) {
      const p = parsePointLine(l);
      if (p) {
        folder.add(p);
        issued.add(p);
      }
    }
  };

  try {
    const poll = o.pollMs ?? 250;
    while (!done) {
      feed(await tailer.read());
      emit(folder.drain());
      store(issued.drain());
      await Promise.race([exited, new Promise((r) => setTimeout(r, poll))]);
    }
    feed(await tailer.finish());
    emit(folder.finish());
    store(issued.finish());
  } finally {
    if (!done) {
      child.kill('SIGKILL');
      await exited;
    }
    clearTimeout(hardKill);
    o.signal?.removeEventListener('abort', onAbort);
    process.removeListener('exit', killOnExit);
    await new Promise<void>((r) => metrics.end(() => r()));
    await gz.end();
    await rm(raw, { force: true });
  }

  const { code, signal } = await exited;
  const k6 = await readFile(files.summary, 'utf8')
    .then((t) => readK6Summary(JSON.parse(t)))
    .catch(() => null);
  const tags = folder.tagTotals();
  const achieved = tags.find((t) => t.tag === ALL_TAG)?.count ?? 0;
  const droppedIterations = Math.max(folder.droppedIterations, k6?.droppedIterations ?? 0);
  const intended = intendedTotal(o.options);
  const verdict = judgeValidity({ aborted, exitCode: code, intended, achieved, droppedIterations });
  return {
    exitCode: code,
    signal,
    aborted,
    startEpochMs: folder.startEpochMs,
    tags,
    k6,
    intended,
    achieved,
    droppedIterations,
    ...verdict,
    points: folder.points,
    windows,
    files,
  };
}
