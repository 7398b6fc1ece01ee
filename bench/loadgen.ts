/**
 * Load-generator bench: how much load can k6 produce on this machine, and what does it cost?
 *   - the highest arrival rate k6 holds against a bare loopback endpoint without dropped
 *     iterations (steps up until a step is invalid),
 *   - k6's CPU per 1,000 requests (utime+stime from /proc/<pid>/stat),
 *   - the parser's throughput (NDJSON lines/s through split, parse and both folds) and the share of one core it
 *     needs at k6's highest held rate.
 * Usage: tsx bench/loadgen.ts [--start 250] [--factor 2] [--max 64000] [--step-sec 10]
 * Loopback only; every step is bounded; prints JSON on stdout, progress on stderr.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { PointFolder } from '../loadgen/fold-points.ts';
import { parsePointLine } from '../loadgen/k6-points.ts';
import type { K6Options } from '../loadgen/profiles.ts';
import { runK6 } from '../loadgen/run-k6.ts';

const script = fileURLToPath(new URL('../loadgen/k6/traffic.ts', import.meta.url));

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!(v > 0)) throw new Error(`--${name} must be a number > 0`);
  return v;
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command: state is field 3; utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/** A bare HTTP endpoint in its own process (so its CPU is not ours): 200 and a tiny JSON body. */
async function startBareServer(): Promise<{ url: string; child: ChildProcess }> {
  const code = `
    const http = require('node:http');
    const body = '{"results":[],"total":0,"degraded":false}';
    const s = http.createServer((req, res) => { res.writeHead(200, {'content-type':'application/json'}); res.end(body); });
    s.keepAliveTimeout = 30000;
    s.listen(0, '127.0.0.1', () => console.log(s.address().port));
    process.on('SIGTERM', () => process.exit(0));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', () => reject(new Error('bare server exited')));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

function searchOnly(rate: number, durationSec: number): K6Options {
  return {
    scenarios: {
      search: {
        executor: 'constant-arrival-rate',
        exec: 'search',
        rate,
        timeUnit: '1s',
        duration: `${durationSec}s`,
        preAllocatedVUs: Math.max(5, Math.ceil(rate * 0.1)),
        maxVUs: Math.max(10, Math.ceil(rate * 0.5)),
        gracefulStop: '5s',
        tags: { flow: 'search' },
      },
    },
    discardResponseBodies: true,
    systemTags: ['status', 'method', 'scenario', 'expected_response', 'error_code'],
    summaryTrendStats: ['count', 'min', 'med', 'avg', 'p(95)', 'p(99)', 'max'],
    thresholds: {},
  };
}

interface Step {
  rate: number;
  valid: boolean;
  reason?: string;
  achieved: number;
  dropped: number;
  k6CpuSec: number | null;
  k6CpuSecPer1000: number | null;
  p95Ms: number | null;
  /** NDJSON lines k6 wrote per second of load. */
  linesPerSec: number;
}

async function step(
  url: string,
  rate: number,
  stepSec: number,
  dir: string,
): Promise<Step & { points: string }> {
  let pid = 0;
  let lastCpu: number | null = null;
  const sampler = setInterval(() => {
    const c = pid ? cpuSeconds(pid) : null;
    if (c !== null) lastCpu = c;
  }, 100);
  try {
    const r = await runK6({
      script,
      options: searchOnly(rate, stepSec),
      env: { WS_BASE_URL: url, WS_FLIGHT_IDS: 'BENCH-1' },
      outDir: join(dir, String(rate)),
      onStart: (p) => {
        pid = p;
      },
    });
    const raw = gunzipSync(await readFile(r.files.points)).toString('utf8');
    const lines = raw.split('\n').filter((l) => l.length > 0).length;
    const cpu: number | null = lastCpu;
    return {
      rate,
      valid: r.valid,
      ...(r.reason ? { reason: r.reason } : {}),
      achieved: r.achieved,
      dropped: r.droppedIterations,
      k6CpuSec: cpu,
      k6CpuSecPer1000: cpu !== null && r.achieved > 0 ? (cpu * 1000) / r.achieved : null,
      p95Ms: r.tags[0]?.p95Ms ?? null,
      linesPerSec: lines / stepSec,
      points: r.files.points,
    };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * Parser throughput over a recorded stream, in NDJSON lines per second of one core: what runK6
 * does per line (split, parse, and fold into both folders: completion and issue seconds).
 */
function parserThroughput(raw: string): { lines: number; linesPerSec: number } {
  const completion = new PointFolder();
  const issued = new PointFolder({ bin: 'issue', lateSec: 62 });
  const t0 = process.cpuUsage();
  let lines = 0;
  for (const l of raw.split('\n')) {
    if (l.length === 0) continue;
    lines++;
    const p = parsePointLine(l);
    if (p) {
      completion.add(p);
      issued.add(p);
    }
  }
  completion.finish();
  issued.finish();
  const used = process.cpuUsage(t0);
  const sec = (used.user + used.system) / 1e6;
  return { lines, linesPerSec: lines / Math.max(sec, 1e-6) };
}

async function main(): Promise<void> {
  const start = arg('start', 250);
  const factor = arg('factor', 2);
  const max = arg('max', 64_000);
  const stepSec = arg('step-sec', 10);
  const dir = await mkdtemp(join(tmpdir(), 'ws-bench-loadgen-'));
  const server = await startBareServer();
  const steps: Step[] = [];
  let best: (Step & { points: string }) | null = null;
  try {
    for (let rate = start; rate <= max; rate = Math.round(rate * factor)) {
      const s = await step(server.url, rate, stepSec, dir);
      const { points: _points, ...row } = s;
      steps.push(row);
      process.stderr.write(
        `rate ${rate}/s: ${s.valid ? 'held' : `not held (${s.reason})`}, k6 ${s.k6CpuSecPer1000?.toFixed(3) ?? '?'} CPU s/1000 req\n`,
      );
      if (!s.valid) break;
      best = s;
    }
    const parser = best ? parserThroughput(gunzipSync(await readFile(best.points)).toString('utf8')) : null;
    const result = {
      machine: { cpus: (await import('node:os')).cpus().length },
      stepSec,
      highestHeldRate: best?.rate ?? null,
      k6CpuSecPer1000Requests: best?.k6CpuSecPer1000 ?? null,
      parser: parser && {
        linesPerSec: Math.round(parser.linesPerSec),
        lines: parser.lines,
        /** Share of one core the parser needs to keep up with k6 at its highest held rate. */
        cpuPercentOfCoreAtMaxRate: best
          ? Math.round((best.linesPerSec / parser.linesPerSec) * 1000) / 10
          : null,
      },
      steps,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    server.child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
