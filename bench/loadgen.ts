/**
 * `npm run bench:loadgen`: how much load can the engine produce on this machine, and what does
 * it cost? Against a bare HTTP endpoint on loopback, in its own process:
 *   - the highest open-model rate held with under 0.1 % late (> 10 ms here) or unsent arrivals:
 *     steps up ×1.5 from --start, then bisects between the last held and the first failed rate;
 *   - the engine's CPU seconds per 1,000 requests (its own getrusage; /proc for k6) and its
 *     resident memory;
 *   - the harness's share: records folded per second of one core (split, parse, both folds, gzip).
 * Engines: ws-load always; k6 beside it when a k6 binary is on PATH or in K6_BIN (--engines).
 * Usage: npm run bench:loadgen -- [--start 2000] [--max 40000] [--step-sec 10] [--engines ws-load,k6]
 * Loopback only; every step is bounded; prints JSON on stdout (also test-artifacts/bench-loadgen.json).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { pidCpuSeconds, pidRssBytes } from '../chaos/platforms/local/processes.ts';
import { REPO_ROOT } from '../lib/paths.ts';
import type { LoadEngine } from '../loadgen/engines/engine.ts';
import { engineByName } from '../loadgen/engines/index.ts';
import { RecordFolder } from '../loadgen/fold-records.ts';
import { GzipSink } from '../loadgen/k6-points.ts';
import type { LoadPlan } from '../loadgen/load-plan.ts';
import { formatRecord, parseRecordLine } from '../loadgen/request-record.ts';
import { judgeValidity, type LoadRunSummary, runLoad } from '../loadgen/run-load.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
function num(name: string, fallback: number): number {
  const v = Number(arg(name, String(fallback)));
  if (!(v > 0)) throw new Error(`--${name} must be a number > 0`);
  return v;
}

/** CPU seconds and RSS (MiB) of a process from /proc; null once it is gone. */
function procUsage(pid: number): { cpuSec: number; rssMiB: number } | null {
  const cpuSec = pidCpuSeconds(pid);
  return cpuSec === null ? null : { cpuSec, rssMiB: pidRssBytes(pid) / 2 ** 20 };
}

/** A bare HTTP endpoint in its own process (so its CPU is not the engine's): 200 and a tiny body. */
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

const searchOnly = (rate: number, sec: number): LoadPlan => ({
  flows: [{ name: 'search', startRate: rate, stages: [{ target: rate, durationSec: sec }] }],
  timeoutSec: 10,
  seed: 1,
});

interface Step {
  rate: number;
  held: boolean;
  reason?: string;
  achieved: number;
  unsent: number;
  late: number;
  lagP99Ms: number | null;
  p95Ms: number | null;
  engineCpuSec: number | null;
  cpuSecPer1000: number | null;
  engineRssMiB: number | null;
  /** CPU seconds the target server used during the step: the cores the engine did not get. */
  serverCpuSec: number | null;
}

async function step(
  engine: LoadEngine,
  server: { url: string; pid: number },
  rate: number,
  sec: number,
  dir: string,
): Promise<Step & { requests: string }> {
  const url = server.url;
  const serverBefore = procUsage(server.pid)?.cpuSec ?? null;
  let pid = 0;
  let last: { cpuSec: number; rssMiB: number } | null = null;
  let peakRss = 0;
  const sampler = setInterval(() => {
    const u = pid ? procUsage(pid) : null;
    if (u) {
      last = u;
      peakRss = Math.max(peakRss, u.rssMiB);
    }
  }, 100);
  let r: LoadRunSummary;
  try {
    r = await runLoad({
      engine,
      plan: searchOnly(rate, sec),
      target: {
        baseUrl: url,
        apiKey: 'bench',
        runId: `bench-${rate}`,
        airports: ['LHR', 'JFK'],
        dates: ['2026-12-01'],
        flightIds: ['BENCH-1'],
      },
      outDir: join(dir, `${engine.name}-${rate}`),
      onStart: (p) => {
        pid = p;
      },
      // A big plan takes a moment to start: never count the engine's start-up against it.
      startDelayMs: 1000,
      lateLagUs: 10_000,
    });
  } finally {
    clearInterval(sampler);
  }
  const sampled = last as { cpuSec: number; rssMiB: number } | null;
  const cpu = r.engineCpuSec ?? sampled?.cpuSec ?? null;
  // Held: under 0.1 % late (> 10 ms) or unsent arrivals, stricter than a scenario run's bounds.
  const held = judgeValidity({ ...r, maxUnsentFraction: 0.001, maxLateFraction: 0.001 });
  return {
    rate,
    held: held.valid,
    ...(held.reason ? { reason: held.reason } : {}),
    achieved: r.achieved,
    unsent: r.unsent,
    late: r.late,
    lagP99Ms: r.lagP99Ms,
    p95Ms: r.tags[0]?.p95Ms ?? null,
    engineCpuSec: cpu,
    cpuSecPer1000: cpu !== null && r.achieved > 0 ? (cpu * 1000) / r.achieved : null,
    engineRssMiB: r.engineMaxRssMiB ?? (peakRss > 0 ? Math.round(peakRss * 10) / 10 : null),
    serverCpuSec: (() => {
      const after = procUsage(server.pid)?.cpuSec ?? null;
      return after !== null && serverBefore !== null ? Math.round((after - serverBefore) * 100) / 100 : null;
    })(),
    requests: r.files.requests,
  };
}

/**
 * Records folded per CPU second of the harness: what runLoad does per line (split, parse, both
 * folds, and the record kept in requests.jsonl.gz, one gzip write per batch as runLoad does).
 */
async function foldThroughput(raw: string): Promise<{ records: number; recordsPerSec: number }> {
  const start = Date.now();
  const completion = new RecordFolder({ runStartEpochMs: start, bin: 'completion' });
  const issued = new RecordFolder({ runStartEpochMs: start, bin: 'issue', lateSec: 12 });
  const sink = new GzipSink(devNull);
  const t0 = process.cpuUsage();
  let records = 0;
  let out = '';
  for (const l of raw.split('\n')) {
    const r = l.length > 0 ? parseRecordLine(l) : null;
    if (!r) continue;
    records++;
    completion.add(r);
    issued.add(r);
    out += formatRecord(r);
    if (out.length >= 1 << 20) {
      sink.write(Buffer.from(out));
      out = '';
    }
  }
  if (out.length > 0) sink.write(Buffer.from(out));
  completion.finish();
  issued.finish();
  await sink.end();
  const used = process.cpuUsage(t0);
  return { records, recordsPerSec: records / Math.max((used.user + used.system) / 1e6, 1e-6) };
}

async function benchEngine(engine: LoadEngine, server: { url: string; pid: number }, dir: string) {
  const start = num('start', 2000);
  const max = num('max', 40_000);
  const stepSec = num('step-sec', 10);
  const steps: Step[] = [];
  let best: (Step & { requests: string }) | null = null;
  let failed: number | null = null;
  const run = async (rate: number) => {
    const s = await step(engine, server, rate, stepSec, dir);
    const { requests: _r, ...row } = s;
    steps.push(row);
    process.stderr.write(
      `${engine.name} ${rate} req/s: ${s.held ? 'held' : `not held (${s.reason})`}; lag p99 ${s.lagP99Ms?.toFixed(2) ?? '?'} ms; ${s.cpuSecPer1000?.toFixed(3) ?? '?'} CPU-s/1000 req; RSS ${s.engineRssMiB ?? '?'} MiB; server CPU ${s.serverCpuSec ?? '?'} s\n`,
    );
    if (s.held && (!best || rate > best.rate)) best = s;
    if (!s.held) failed = failed === null ? rate : Math.min(failed, rate);
    return s.held;
  };
  for (let rate = start; rate <= max; rate = Math.round(rate * 1.5)) if (!(await run(rate))) break;
  // Bisect to within 10 % between the last held and the first failed rate.
  for (let i = 0; i < 3 && best && failed !== null; i++) {
    const lo: number = (best as Step).rate;
    if (failed - lo <= lo * 0.1) break;
    await run(Math.round((lo + failed) / 2));
  }
  const b = best as (Step & { requests: string }) | null;
  const fold = b ? await foldThroughput(gunzipSync(await readFile(b.requests)).toString('utf8')) : null;
  return {
    engine: engine.name,
    highestHeldRate: b?.rate ?? null,
    cpuSecPer1000Requests: b?.cpuSecPer1000 ?? null,
    engineRssMiB: b?.engineRssMiB ?? null,
    lagP99MsAtHighest: b?.lagP99Ms ?? null,
    harnessFold: fold && {
      recordsPerSec: Math.round(fold.recordsPerSec),
      /** Share of one core the harness needs to fold records at the highest held rate. */
      cpuPercentOfCoreAtHighest: b ? Math.round((b.rate / fold.recordsPerSec) * 1000) / 10 : null,
    },
    steps,
  };
}

async function main(): Promise<void> {
  const names = arg('engines', 'ws-load,k6').split(',');
  const dir = await mkdtemp(join(tmpdir(), 'ws-bench-loadgen-'));
  const server = await startBareServer();
  const engines: unknown[] = [];
  try {
    for (const name of names) {
      const engine = engineByName(name);
      try {
        engine.resolve();
      } catch (e) {
        process.stderr.write(`${name}: skipped (${(e as Error).message})\n`);
        engines.push({ engine: name, skipped: (e as Error).message });
        continue;
      }
      // The bench measures the ceiling the engine's limit comes from: that limit must not cap it.
      const unlimited: LoadEngine = { ...engine, limits: { ...engine.limits, maxRate: num('max', 40_000) } };
      engines.push(await benchEngine(unlimited, { url: server.url, pid: server.child.pid ?? 0 }, dir));
    }
    const result = { machine: { cpus: cpus().length }, stepSec: num('step-sec', 10), engines };
    const text = `${JSON.stringify(result, null, 2)}\n`;
    await mkdir(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
    await writeFile(join(REPO_ROOT, 'test-artifacts', 'bench-loadgen.json'), text);
    process.stdout.write(text);
  } finally {
    server.child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
