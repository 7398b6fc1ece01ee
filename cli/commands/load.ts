import { join } from 'node:path';
import type { Command } from 'commander';
import { badInput, EXIT } from '../../lib/errors.ts';
import { REPO_ROOT } from '../../lib/paths.ts';
import { DEFAULT_AIRPORTS, DEFAULT_DATES, discoverFlightIds } from '../../loadgen/catalogue.ts';
import { ENGINE_NAMES } from '../../loadgen/engines/engine.ts';
import { defaultEngineName, engineByName } from '../../loadgen/engines/index.ts';
import { assertPlan } from '../../loadgen/load-plan.ts';
import {
  describeProfile,
  type LoadSpec,
  loadPlanFor,
  PRESETS,
  type Preset,
  parseK6Duration,
} from '../../loadgen/profiles.ts';
import { type LoadProgress, type LoadRunSummary, runLoad } from '../../loadgen/run-load.ts';
import { DEFAULT_API_KEY } from '../../system/contracts.ts';
import { PORTS } from '../../system/topology.ts';
import { type PlatformFlag, platformOption } from '../platform-option.ts';

interface LoadFlags extends Partial<PlatformFlag> {
  profile: string;
  duration: string;
  scale: string;
  rate?: string;
  target?: string;
  apiKey: string;
  out?: string;
  json?: boolean;
  engine?: string;
  seed: string;
}

/** `20260101T120000Z`: a run-directory stamp. */
function stamp(d = new Date()): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Validates the flags; every problem at once. */
export function loadSpecFromFlags(f: LoadFlags): { spec: LoadSpec; scale: number } {
  const problems: string[] = [];
  if (!PRESETS.includes(f.profile as Preset))
    problems.push(`--profile must be one of ${PRESETS.join(', ')}, got "${f.profile}"`);
  let durationSec = Number.NaN;
  try {
    durationSec = /^\d+(\.\d+)?$/.test(f.duration) ? Number(f.duration) : parseK6Duration(f.duration);
  } catch {
    // reported below
  }
  if (!(durationSec > 0)) problems.push(`--duration must be like 30s, 2m or 1m30s, got "${f.duration}"`);
  const scale = Number(f.scale);
  if (!(scale > 0)) problems.push(`--scale must be a number > 0, got "${f.scale}"`);
  const rate = f.rate === undefined ? undefined : Number(f.rate);
  if (rate !== undefined && !(rate > 0)) problems.push(`--rate must be a number > 0, got "${f.rate}"`);
  if (problems.length > 0) throw badInput('load-flags', problems.join('; '), 'see `windshear load --help`');
  const spec: LoadSpec = { preset: f.profile as Preset, durationSec };
  if (rate !== undefined) spec.rate = rate;
  return { spec, scale };
}

const fmtMs = (v: number | null) => (v === null ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1));

export function progressLine(p: LoadProgress): string {
  const intended = p.intendedRate === null ? '' : `/${Math.round(p.intendedRate)}`;
  return (
    `t=${p.sec}s rate ${p.rate}${intended} req/s  p95 ${fmtMs(p.p95Ms)} ms  ` +
    `errors ${p.errors} (total ${p.totalErrors})  unsent ${p.unsent} (total ${p.totalUnsent})`
  );
}

/** The final table: one row per endpoint tag, `*` first. Latencies in ms. */
export function summaryTable(r: LoadRunSummary, durationSec: number): string {
  const head = ['endpoint', 'requests', 'req/s', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'];
  const rows = r.tags.map((t) => [
    t.tag === '*' ? 'all' : t.tag,
    String(t.count),
    (t.count / durationSec).toFixed(1),
    String(t.errors),
    fmtMs(t.p50Ms),
    fmtMs(t.p95Ms),
    fmtMs(t.p99Ms),
    fmtMs(t.maxMs),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

/** The edge of the stack the platform has up; the local default when none is. */
async function edgeOf(platformName: string | undefined): Promise<string> {
  const { platformFor } = await import('../../chaos/platforms/platform-for.ts');
  const edge = (await platformFor(platformName)).current()?.edge;
  return edge ? `http://${edge.host}:${edge.port}` : `http://127.0.0.1:${PORTS.edge}`;
}

export function register(program: Command): void {
  program
    .command('load')
    .description('drive the running stack with load only (no faults) and print latency per endpoint')
    .option('--profile <preset>', `load preset: ${PRESETS.join(', ')}`, 'baseline')
    .option('--duration <duration>', 'length of the load (30s, 2m, 1m30s)', '30s')
    .option('--scale <n>', 'multiplier of the seed rates (peak = 5,000 req/s × scale)', '1')
    .option('--rate <n>', "headline rate in requests/s before scale (overrides the preset's)")
    .option(
      '--target <url>',
      `base URL of the edge (default: the edge of the stack --platform has up, else http://127.0.0.1:${PORTS.edge})`,
    )
    .addOption(platformOption())
    .option('--api-key <key>', 'API key for reservation and booking requests', DEFAULT_API_KEY)
    .option(
      '--engine <name>',
      `load engine: ${ENGINE_NAMES.join(', ')} (default WINDSHEAR_ENGINE, else ws-load; k6 only when you bring a k6 binary)`,
    )
    .option('--seed <n>', "seed of the engine's choices (routes, flights)", '1')
    .option('--out <dir>', 'run directory (default reports/runs/load/<UTC stamp>)')
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  windshear load --profile baseline --duration 30s --scale 0.01\n' +
        '  windshear load --profile peak --rate 400 --scale 1 --duration 1m --json\n' +
        '  windshear load --engine k6 --duration 20s      # with your own k6 on PATH or in K6_BIN\n' +
        '\nEvery request is kept in <out>/requests.jsonl.gz (intended start, send lag, duration, status).\n' +
        'Exit codes: 0 the engine kept the schedule, 2 it did not (unsent or late arrivals, or\n' +
        '< 95 % of the intended requests: the measurement is invalid), 254 bad flags or a plan the\n' +
        'engine cannot honour.',
    )
    .action(async (flags: LoadFlags) => {
      const { spec, scale } = loadSpecFromFlags(flags);
      const seed = Number(flags.seed);
      if (!Number.isInteger(seed))
        throw badInput('load-flags', `--seed must be an integer, got "${flags.seed}"`);
      const engine = engineByName(flags.engine ?? defaultEngineName());
      const plan = loadPlanFor(spec, scale, { seed });
      assertPlan(plan, engine.limits);
      const bin = engine.resolve();
      const outDir = flags.out ?? join(REPO_ROOT, 'reports', 'runs', 'load', stamp());
      const err = process.stderr;
      const tty = err.isTTY === true;
      const target = (flags.target ?? (await edgeOf(flags.platform))).replace(/\/+$/, '');
      err.write(
        `${describeProfile(spec, scale)}\nengine ${engine.name}, target ${target}, run directory ${outDir}\n`,
      );

      const hints = { airports: DEFAULT_AIRPORTS, dates: DEFAULT_DATES };
      const flightIds = await discoverFlightIds(target, hints);
      if (flightIds.length === 0)
        err.write(
          'warning: no flights found by a search through the target; price, reserve and book will search instead\n',
        );

      const ac = new AbortController();
      const onSigint = () => {
        err.write(`\nstopping ${engine.name}...\n`);
        ac.abort();
      };
      process.once('SIGINT', onSigint);
      let r: LoadRunSummary;
      try {
        r = await runLoad({
          engine,
          bin,
          plan,
          target: { baseUrl: target, apiKey: flags.apiKey, runId: stamp(), ...hints, flightIds },
          outDir,
          signal: ac.signal,
          onSecond: (p) => err.write(tty ? `\r\x1b[2K${progressLine(p)}` : `${progressLine(p)}\n`),
        });
      } finally {
        process.removeListener('SIGINT', onSigint);
        if (tty) err.write('\n');
      }

      const measuredSec = Math.max(1, spec.durationSec);
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({ profile: describeProfile(spec, scale), scale, outDir, ...r }, null, 2)}\n`,
        );
      } else {
        const fmt = (v: number | null, d = 1) => (v === null ? '-' : v.toFixed(d));
        const out = [
          summaryTable(r, measuredSec),
          `intended ${Math.round(r.intended)} requests, achieved ${r.achieved}, unsent ${r.unsent}, late ${r.late}; send lag p99 ${fmt(r.lagP99Ms, 2)} ms, max ${fmt(r.lagMaxMs, 2)} ms; ${engine.name} CPU ${fmt(r.engineCpuSec, 2)} s, RSS ${fmt(r.engineMaxRssMiB)} MiB`,
          r.valid ? 'load generator kept the schedule' : `INVALID run (verdict unknown): ${r.reason}`,
          `requests ${r.files.requests}`,
        ];
        process.stdout.write(`${out.join('\n')}\n`);
      }
      process.exitCode = r.valid ? EXIT.pass : EXIT.unknown;
    });
}
