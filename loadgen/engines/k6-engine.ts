import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { badInput } from '../../lib/errors.ts';
import { paths, resolveBinary } from '../../lib/paths.ts';
import { enginePaths, RUN_FILES } from '../../lib/run-store/run-files.ts';
import { writeRunJson } from '../../lib/run-store/write-run-file.ts';
import { catalogueEnv } from '../catalogue.ts';
import { parsePointLine } from '../k6-points.ts';
import { readK6Summary } from '../k6-summary.ts';
import { k6ConfigFor } from '../profiles.ts';
import { recordFromK6Point } from '../request-record.ts';
import { type EngineAccounting, engineCommand, type LoadEngine, type StartedEngine } from './engine.ts';

const TRAFFIC_SCRIPT = fileURLToPath(new URL('../k6/traffic.ts', import.meta.url));

/** k6 held 2,000–4,000 req/s in bench:loadgen on this kind of machine (session 3). */
export const K6_MAX_RATE = 2000;

/**
 * k6, for users who bring their own binary (`K6_BIN` or PATH): windshear never fetches or builds
 * it. It runs loadgen/k6/traffic.ts with the plan rendered as k6 scenarios; its `--out json`
 * points become request records (k6 reports no intended start: see recordFromK6Point).
 */
export const k6Engine: LoadEngine = {
  name: 'k6',
  limits: { engine: 'k6', maxRate: K6_MAX_RATE },
  resolve() {
    const r = resolveBinary('k6', { envVar: 'K6_BIN', installed: false });
    if (r.path) return r.path;
    throw badInput(
      'engine-missing',
      r.override ? `K6_BIN=${r.override} is not an executable file` : 'k6 was not found (K6_BIN, PATH)',
      'k6 is optional and yours to install: put a k6 binary on PATH or set K6_BIN, or use the embedded engine (--engine ws-load)',
    );
  },
  async start(bin, o): Promise<StartedEngine> {
    const own = enginePaths(o.outDir);
    const files = { config: own.k6Config, summary: own.k6Summary, log: own.log };
    const rawPath = own.k6RawPoints;
    await writeRunJson(o.outDir, RUN_FILES.k6Config, k6ConfigFor(o.plan));
    await rm(files.summary, { force: true });
    const t = o.target;
    const env: Record<string, string> = {
      WS_BASE_URL: t.baseUrl,
      WS_API_KEY: t.apiKey,
      WS_RUN_ID: t.runId,
      WS_HTTP_TIMEOUT: `${o.plan.timeoutSec}s`,
      ...(t.paymentToken ? { WS_PAYMENT_TOKEN: t.paymentToken } : {}),
      ...catalogueEnv({ airports: t.airports, dates: t.dates }, t.flightIds),
    };
    const args = [
      'run',
      '--quiet',
      '--no-color',
      '--config',
      files.config,
      '--out',
      `json=${rawPath}`,
      '--summary-export',
      files.summary,
      ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      // k6 does not die with its parent: `windshear down` finds a leftover one by this.
      ...['-e', paths.engineOwner()],
      TRAFFIC_SCRIPT,
    ];
    const logFd = openSync(files.log, 'w');
    try {
      const [cmd, cmdArgs] = engineCommand(bin, args);
      const child = spawn(cmd, cmdArgs, {
        env: { ...process.env, K6_NO_USAGE_REPORT: 'true' },
        stdio: ['pipe', logFd, logFd],
      });
      return {
        child,
        rawPath,
        files,
        parse(line) {
          const p = parsePointLine(line);
          if (!p) return null;
          if (p.metric === 'http_req_duration') return { record: recordFromK6Point(p) };
          if (p.metric === 'dropped_iterations') return { unsent: { epochMs: p.epochMs, n: p.value } };
          return { scheduleStartEpochMs: p.value };
        },
        async finish(exit): Promise<EngineAccounting> {
          const k6 = await readFile(files.summary, 'utf8')
            .then((s) => readK6Summary(JSON.parse(s)))
            .catch(() => null);
          // 99: thresholds crossed — not a generator problem; the harness judges SLOs itself.
          const ok = exit.code === 0 || exit.code === 99;
          return {
            cpuSec: null,
            maxRssKiB: null,
            ...(k6 ? { dropped: k6.droppedIterations } : {}),
            ...(ok ? {} : { exitProblem: `k6 exited with code ${exit.code ?? exit.signal}` }),
          };
        },
      };
    } finally {
      closeSync(logFd);
    }
  },
};
