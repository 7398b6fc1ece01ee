import { join, relative } from 'node:path';
import { type Command, Option } from 'commander';
import type { Platform } from '../../chaos/platforms/platform.ts';
import { platformFor } from '../../chaos/platforms/platform-for.ts';
import { badInput, EXIT, type ExitCode } from '../../lib/errors.ts';
import { REPO_ROOT } from '../../lib/paths.ts';
import { outcomeOf, type RunResults, type Verdict } from '../../lib/run-format.ts';
import { readRun } from '../../lib/run-store/read-run.ts';
import { RUN_FILES, runFilePath } from '../../lib/run-store/run-files.ts';
import { catalogNames, loadScenarios } from '../../scenarios/load-scenario.ts';
import {
  isProfileName,
  PROFILE_NAMES,
  type ProfileName,
  profileScenarios,
} from '../../scenarios/profiles.ts';
import { formatProgress, type LagFacts, lagFacts, type Progress } from '../../scenarios/progress.ts';
import { type RunScenarioResult, runScenario } from '../../scenarios/run-scenario.ts';
import { type PlatformFlag, platformOption } from '../platform-option.ts';
import { table } from '../table.ts';

interface Flags extends Partial<PlatformFlag> {
  profile: string;
  scale?: string;
  seed?: string;
  keep?: boolean;
  out?: string;
  engine?: string;
  json?: boolean;
}

const rel = (p: string) => relative(REPO_ROOT, p) || '.';

/** Validates the flags; every problem at once (exit 254). */
export function parseFlags(f: Flags): { profile: ProfileName; scale?: number; seed?: number } {
  const problems: string[] = [];
  if (!isProfileName(f.profile))
    problems.push(`--profile must be one of ${PROFILE_NAMES.join(', ')}, got "${f.profile}"`);
  const scale = f.scale === undefined ? undefined : Number(f.scale);
  if (scale !== undefined && !(scale > 0)) problems.push(`--scale must be a number > 0, got "${f.scale}"`);
  const seed = f.seed === undefined ? undefined : Number(f.seed);
  if (seed !== undefined && !Number.isInteger(seed))
    problems.push(`--seed must be a whole number, got "${f.seed}"`);
  if (problems.length > 0)
    throw badInput('run-flags', problems.join('; '), 'see `windshear run-scenario --help`');
  return {
    profile: f.profile as ProfileName,
    ...(scale !== undefined ? { scale } : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
}

const VERDICT_EXIT: Record<Verdict, ExitCode> = { pass: EXIT.pass, fail: EXIT.fail, unknown: EXIT.unknown };

const fmtNum = (v: number | null) => (v === null ? '-' : String(Math.round(v * 1000) / 1000));

/** The verdict table: one row per SLO. */
export function verdictTable(r: RunResults): string {
  return table(
    ['slo', 'measured', 'objective', 'verdict'],
    r.slos.map((s) => [
      s.id,
      `${fmtNum(s.measured)} ${s.unit}`,
      `${s.objective.op} ${s.objective.value} ${s.unit}`,
      s.verdict.toUpperCase(),
    ]),
  );
}

/** Why the run is unknown, one line per reason, when it is (each harness row that says so). */
export function reasonLines(r: RunResults): string[] {
  if (r.verdict !== 'unknown') return [];
  return r.slos.filter((s) => s.verdict === 'unknown').map((s) => `unknown: ${s.id}: ${s.detail}`);
}

/** Facts of the run that are not SLO rows: per-fault RTO, lost writes, lag peak and drain. */
export function runFactLines(r: RunResults, lag: LagFacts[]): string[] {
  const lines: string[] = [];
  for (const f of r.faults) {
    const comps = f.components.map(
      (c) => `${c.what} ${c.ms === null ? '-' : `${(c.ms / 1000).toFixed(1)} s`}`,
    );
    lines.push(
      `fault ${f.faultId} (${f.fault} ${f.targets.map((t) => t.name).join(',')}): RTO ${f.rtoMs === null ? '-' : `${(f.rtoMs / 1000).toFixed(1)} s`}, detection ${f.detectionMs === null ? '-' : `${(f.detectionMs / 1000).toFixed(1)} s`}${comps.length ? `; ${comps.join(', ')}` : ''}`,
    );
  }
  lines.push(
    `lost acknowledged writes (RPO) ${r.lostWrites.length}, duplicate reservations ${r.duplicates.length}`,
  );
  for (const l of lag)
    lines.push(
      `consumer lag ${l.group}: peak ${l.peakSec.toFixed(1)} s / ${l.peakOffsets} msgs, drained ${l.drainSec === null ? '-' : `${l.drainSec.toFixed(1)} s`} after the last fault stopped`,
    );
  return lines;
}

async function lagOf(runDir: string): Promise<LagFacts[]> {
  const { history } = await readRun(runDir);
  return lagFacts(history ?? []);
}

/** Progress to stderr: one rewritten line on a TTY, else a line every 5 s. */
function progressPrinter(): { onProgress: (p: Progress) => void; done: () => void } {
  const err = process.stderr;
  const tty = err.isTTY === true;
  let lastPrinted = -Infinity;
  return {
    onProgress: (p) => {
      const line = formatProgress(p);
      if (tty) err.write(`\r\x1b[2K${line.slice(0, (err.columns ?? 200) - 1)}`);
      else if (Date.now() - lastPrinted >= 5000) {
        lastPrinted = Date.now();
        err.write(`${line}\n`);
      }
    },
    done: () => {
      if (tty) err.write('\r\x1b[2K');
    },
  };
}

const DRILL_CHECKLIST = `
Quarterly failover drill — what to watch, where the evidence is:
  [ ] Before: \`windshear status\` shows every component healthy; note the Kafka controller,
      the Redis primary and the PostgreSQL primary (they will move).
  [ ] broker-loss: partition leaders move within 10 s (kafka.leader-failover); no acknowledged
      reservation lost (rpo.single-component) — evidence: results.json "faults" and "lostWrites".
  [ ] redis-primary-failover: Sentinels agree on a new primary (redis.promotion); search stays up.
  [ ] postgres-failover: the standby accepts writes (pg-writable); bookings resume; RPO 0.
  [ ] stream-worker-crash: stream-normalizer lag drains after the restart.
  [ ] network-partition, az-loss: the API keeps serving from the healthy AZs.
  [ ] After: every fault healed (\`windshear chaos heal\` finds nothing), lag back to 0.
  Evidence per scenario: reports/runs/<scenario>/<stamp>/report.html (charts, verdicts),
  ${RUN_FILES.results}, ${RUN_FILES.history} (every fault step and probe sample), ${RUN_FILES.logs}/ (component logs).
`;

async function runOne(
  name: string,
  parsed: ReturnType<typeof parseFlags>,
  flags: Flags,
  out: string | undefined,
  platform: Platform,
): Promise<RunScenarioResult> {
  const printer = progressPrinter();
  const log = (l: string) => {
    printer.done();
    process.stderr.write(`${l}\n`);
  };
  try {
    return await runScenario({
      scenario: name,
      ...parsed,
      platform,
      keep: flags.keep ?? false,
      ...(flags.engine ? { engine: flags.engine } : {}),
      ...(out ? { outDir: out } : {}),
      ...(flags.json ? {} : { onProgress: printer.onProgress }),
      onLog: flags.json ? () => {} : log,
    });
  } finally {
    printer.done();
  }
}

export function register(program: Command): void {
  program
    .command('run-scenario')
    .description('run a scenario (load + faults + probes) on the real stack and judge it against its SLOs')
    .argument(
      '[scenario]',
      'catalogue name (windshear list) or a scenario file; none: every scenario of --profile',
    )
    .addOption(
      new Option('--profile <profile>', 'ci: short and small; nightly: 4x longer; drill: failover drill')
        .choices([...PROFILE_NAMES])
        .default('ci'),
    )
    .option('--scale <n>', "multiplier of the seeds' rates (default: the profile's, e.g. 0.01 in ci)")
    .option('--seed <n>', 'seed of seeded selectors (default 1: runs are reproducible)')
    .option('--keep', 'leave a stack this run brought up running afterwards')
    .addOption(platformOption())
    .option(
      '--engine <name>',
      'load engine: ws-load (embedded, the default) or k6 (yours, on PATH or in K6_BIN); default WINDSHEAR_ENGINE',
    )
    .option(
      '--out <dir>',
      'run directory (default reports/runs/<scenario>/<UTC stamp>; with several scenarios, <dir>/<scenario>)',
    )
    .option('--json', 'print only results.json (an array when running a profile)')
    .addHelpText(
      'after',
      `
A run: validate and plan the scenario, bring the stack up if none is (and down again unless
--keep), wait until it answers, then from one time zero drive the load engine, the ledger of checkable
writes, the supplier feed, the fault timeline and the probes (1 Hz); heal every fault (also on
Ctrl-C), settle, drain consumer lag, read the ledger back, judge, and write report.html.

Examples:
  windshear run-scenario broker-loss                 the Kafka leader dies under load (ci, ~2.5 min)
  windshear run-scenario ingress-calibration         HAProxy paused exactly 20 s: RTO must read ~20 s
  windshear run-scenario broker-loss --scale 0.02 --keep
  windshear run-scenario ./my-scenario.yaml --out /tmp/run1
  windshear run-scenario --profile drill             the failover drill, with a checklist
  windshear check reports/runs/broker-loss/<stamp>   re-judge a stored run later

Exit codes: 0 every SLO passed, 1 an SLO failed, 2 unknown (invalid load, missing measurement,
aborted), 254 bad input, 255 internal error; 130/143 after Ctrl-C/SIGTERM (faults healed first).`,
    )
    .action(async (name: string | undefined, flags: Flags) => {
      const parsed = parseFlags(flags);
      const platform = await platformFor(flags.platform);
      const names = name ? [name] : profileScenarios(parsed.profile, await catalogNames());
      // Every scenario is checked against the profile's topology before the first one starts.
      await loadScenarios(names, { profile: parsed.profile });
      const started = Date.now();
      const done: RunScenarioResult[] = [];
      // A sequence keeps the stack up between scenarios; it takes down at the end what it brought up.
      const wasUp = platform.current() !== null;
      for (const n of names) {
        if (names.length > 1 && !flags.json)
          process.stderr.write(`\n=== ${n} (${done.length + 1}/${names.length})\n`);
        const out = flags.out && names.length > 1 ? join(flags.out, n) : flags.out;
        const r = await runOne(
          n,
          parsed,
          { ...flags, keep: names.length > 1 ? true : flags.keep },
          out,
          platform,
        );
        done.push(r);
        if (!flags.json) {
          const lines = [
            `run directory ${rel(r.runDir)}`,
            verdictTable(r.results),
            ...reasonLines(r.results),
            ...runFactLines(r.results, await lagOf(r.runDir)),
            `verdict ${verdictText(r.results)} in ${(r.wallMs / 1000).toFixed(0)} s — report ${rel(runFilePath(r.runDir, 'report'))}`,
          ];
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        if (r.signalExit !== null) {
          process.exitCode = r.signalExit;
          break;
        }
      }
      if (flags.json) {
        const results = done.map((d) => d.results);
        process.stdout.write(`${JSON.stringify(name ? results[0] : results, null, 2)}\n`);
      } else if (!name) {
        process.stdout.write(
          `\n${table(
            ['scenario', 'verdict', 'wall s', 'run directory'],
            done.map((d) => [
              d.results.scenario,
              verdictText(d.results),
              (d.wallMs / 1000).toFixed(0),
              rel(d.runDir),
            ]),
          )}\ntotal wall time ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
        );
        if (parsed.profile === 'drill') process.stdout.write(DRILL_CHECKLIST);
      }
      if (names.length > 1 && !wasUp && !flags.keep) await platform.down();
      // Results are written; a client the run left open (a reconnecting Kafka admin) must not keep
      // the process alive. Unref'd: it fires only if something else still holds the event loop.
      setTimeout(() => process.exit(), 3000).unref();
      if (done.some((d) => d.signalExit !== null)) return;
      const verdicts = done.map((d) => outcomeOf(d.results));
      const overall: Verdict = verdicts.includes('fail')
        ? 'fail'
        : verdicts.includes('unknown')
          ? 'unknown'
          : 'pass';
      process.exitCode = VERDICT_EXIT[overall];
    });
}

/** The verdict as printed; a negative control says whether the harness caught the damage. */
function verdictText(r: RunResults): string {
  const v = r.verdict.toUpperCase();
  if (!r.negativeControl) return v;
  if (r.verdict === 'unknown') return `${v} (negative control: the run shows neither a catch nor a miss)`;
  return r.verdict === 'fail'
    ? `${v} (expected: negative control caught)`
    : `${v} (NEGATIVE CONTROL MISSED: the unsafe system should have failed)`;
}
