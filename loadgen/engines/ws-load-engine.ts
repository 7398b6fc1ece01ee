import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { badInput } from '../../lib/errors.ts';
import { paths, resolveBinary } from '../../lib/paths.ts';
import { enginePaths, RUN_FILES } from '../../lib/run-store/run-files.ts';
import { writeRunJson } from '../../lib/run-store/write-run-file.ts';
import { parseRecordLine } from '../request-record.ts';
import { type EngineAccounting, engineCommand, type LoadEngine, type StartedEngine } from './engine.ts';

/**
 * Highest total arrival rate ws-load starts on time on a 2-core machine, with the target on the
 * same machine (npm run bench:loadgen); plans above it are refused before anything starts.
 */
export const WS_LOAD_MAX_RATE = 8000;

/** ws-load's summary line (loadgen/ws-load/main.go `summary`). */
interface WsLoadSummary {
  engine: 'ws-load';
  startAtMs: number;
  aborted: boolean;
  flows: { flow: string; intended: number; sent: number; unsent: number }[];
  cpuUserSec: number;
  cpuSysSec: number;
  maxRssKiB: number;
}

/**
 * ws-load's first line: when second 0 of its schedule is. The planned start, or just after the
 * engine was ready when it was not ready in time (loadgen/ws-load/main.go `readyZero`).
 */
export function parseStartLine(line: string): number | null {
  if (!line.startsWith('{"schedule_start_epoch_ms":')) return null;
  const v = (JSON.parse(line) as { schedule_start_epoch_ms?: unknown }).schedule_start_epoch_ms;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * The embedded engine: ws-load (loadgen/ws-load, vegeta as a library), built by `windshear
 * setup`. It stops when its standard input closes or its parent dies, so it never outlives the
 * harness.
 */
export const wsLoadEngine: LoadEngine = {
  name: 'ws-load',
  limits: { engine: 'ws-load', maxRate: WS_LOAD_MAX_RATE },
  resolve() {
    const r = resolveBinary('ws-load', { envVar: 'WS_LOAD_BIN' });
    if (r.path) return r.path;
    throw badInput(
      'engine-missing',
      r.override
        ? `WS_LOAD_BIN=${r.override} is not an executable file`
        : `the load engine ws-load was not found (${r.tried.join(', ')})`,
      'run `windshear setup` (it builds ws-load from loadgen/ws-load with Go)',
    );
  },
  async start(bin, o): Promise<StartedEngine> {
    const own = enginePaths(o.outDir);
    const files = { plan: own.loadPlan, log: own.log };
    const rawPath = own.wsLoadRecords;
    const t = o.target;
    const enginePlan = {
      baseUrl: t.baseUrl.replace(/\/+$/, ''),
      startAtMs: o.scheduleStartEpochMs,
      timeoutMs: Math.round(o.plan.timeoutSec * 1000),
      seed: o.plan.seed,
      runId: t.runId,
      apiKey: t.apiKey,
      paymentToken: t.paymentToken ?? 'tok-ok',
      airports: t.airports,
      dates: t.dates,
      flightIds: t.flightIds,
      // The engine refuses a plan above its limit too (its own guard); a bench lifts both.
      maxRate: this.limits.maxRate,
      records: rawPath,
      flows: o.plan.flows,
    };
    await writeRunJson(o.outDir, RUN_FILES.loadPlan, enginePlan);
    const logFd = openSync(files.log, 'w');
    try {
      const [cmd, args] = engineCommand(bin, [
        '-plan',
        files.plan,
        '-lifeline-stdin',
        `-${paths.engineOwner()}`,
      ]);
      const child = spawn(cmd, args, {
        stdio: ['pipe', 'pipe', logFd],
      });
      return {
        child,
        rawPath,
        files,
        parse: (line) => {
          const start = parseStartLine(line);
          if (start !== null) return { scheduleStartEpochMs: start };
          const record = parseRecordLine(line);
          return record ? { record } : null;
        },
        async finish(exit): Promise<EngineAccounting> {
          const last = exit.stdout.trim().split('\n').pop() ?? '';
          let s: WsLoadSummary | null = null;
          try {
            s = JSON.parse(last) as WsLoadSummary;
          } catch {
            s = null;
          }
          if (s?.engine !== 'ws-load')
            return {
              cpuSec: null,
              maxRssKiB: null,
              exitProblem: `ws-load exited with code ${exit.code ?? exit.signal} and no summary (see ${files.log})`,
            };
          return {
            flows: s.flows.map((f) => ({ flow: f.flow, intended: f.intended, sent: f.sent })),
            cpuSec: s.cpuUserSec + s.cpuSysSec,
            maxRssKiB: s.maxRssKiB,
            ...(exit.code === 0 ? {} : { exitProblem: `ws-load exited with code ${exit.code}` }),
          };
        },
      };
    } finally {
      closeSync(logFd);
    }
  },
};
