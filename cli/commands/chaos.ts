import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { FAULTS } from '../../chaos/faults/index.ts';
import { readJournal } from '../../chaos/journal.ts';
import type { Platform } from '../../chaos/platforms/platform.ts';
import {
  type EventSink,
  type FaultClock,
  healAll,
  healProblems,
  injectFault,
  installHealOnSignals,
  startClock,
} from '../../chaos/run-fault.ts';
import { badInput, EXIT, WindshearError } from '../../lib/errors.ts';
import { paths } from '../../lib/paths.ts';
import type { HistoryEvent } from '../../lib/run-format.ts';
import { type PlatformFlag, platformOption } from '../platform-option.ts';

/** `30s`, `1500ms`, `2m`, `1h`, or bare seconds, to seconds. */
export function parseDurationSec(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600 } as const;
  const sec = m ? Number(m[1]) * unit[(m[2] ?? 's') as keyof typeof unit] : Number.NaN;
  if (!(sec > 0))
    throw badInput('chaos-flags', `--for must be like 30s, 1500ms or 2m, got "${text}"`, 'e.g. --for 30s');
  return sec;
}

/** `--param k=v` pairs to a record; every problem at once. Values stay strings (faults coerce). */
export function parseParamPairs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const bad: string[] = [];
  for (const p of pairs) {
    const i = p.indexOf('=');
    const k = i > 0 ? p.slice(0, i).trim() : '';
    if (!k || k in out) bad.push(p);
    else out[k] = p.slice(i + 1).trim();
  }
  if (bad.length) {
    throw badInput(
      'chaos-flags',
      `--param must be key=value, each key once; got ${bad.map((b) => `"${b}"`).join(', ')}`,
      'e.g. --param delayMs=200 --param jitterMs=20',
    );
  }
  return out;
}

/** One terminal line per fault event. */
export function eventLine(e: HistoryEvent): string | null {
  const at = `+${(e.t / 1000).toFixed(3)}s`;
  switch (e.kind) {
    case 'fault-start':
      return `${at} ${e.faultId} ${e.fault} on ${e.selector}: ${e.targets.map((t) => `${t.name} (${t.az}${t.role ? `, ${t.role}` : ''})`).join(', ')}`;
    case 'fault-step':
      return `${at} ${e.faultId} ${e.step} ${e.action} -> exit ${e.exitCode}${e.detail ? ` (${e.detail})` : ''}`;
    case 'fault-stop':
      return `${at} ${e.faultId} stopped`;
    case 'note':
      return `${at} ${e.level}: ${e.message}`;
    default:
      return null;
  }
}

const out = (line: string) => process.stdout.write(`${line}\n`);

/** Appends each event to `file` as one JSON line; `onFirst` runs before the first. */
export function historyAppender(file: string, onFirst: () => void = () => {}): EventSink {
  let first = true;
  return (e) => {
    if (first) {
      first = false;
      mkdirSync(dirname(file), { recursive: true });
      onFirst();
    }
    appendFileSync(file, `${JSON.stringify(e)}\n`);
  };
}

/**
 * fault-stop for each fault a heal recovered that has no undo left outstanding. healAll
 * emits fault-stop only for faults started in its own process; `chaos heal` started none.
 */
export function stopsAfterHeal(
  recovered: Iterable<string>,
  outstanding: readonly { faultId: string }[],
  clock: FaultClock,
): HistoryEvent[] {
  const left = new Set(outstanding.map((u) => u.faultId));
  return [...new Set(recovered)]
    .filter((id) => !left.has(id))
    .map((faultId) => ({ kind: 'fault-stop', t: clock.t(), wall: clock.wall(), faultId }));
}

/** Prints each event and records it in the ad hoc history, saying where once. */
function recordingSink(): EventSink {
  const file = paths.chaosHistory();
  const record = historyAppender(file, () => out(`history: ${file}`));
  return (e) => {
    record(e);
    const line = eventLine(e);
    if (line) out(line);
  };
}

async function platform(name: string): Promise<Platform> {
  // Loaded on use, so `windshear --help` does not load the driver.
  const { platformFor } = await import('../../chaos/platforms/platform-for.ts');
  return platformFor(name);
}

export function register(program: Command): void {
  const chaos = program
    .command('chaos')
    .description('Inject one fault by hand, list fault kinds, or heal everything windshear broke.')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  windshear chaos list\n' +
        '  windshear chaos inject kill --target kafka:controller-leader --for 30s\n' +
        '  windshear chaos inject partition --target az:az-b --param direction=ingress --for 1m\n' +
        '  windshear chaos inject delay --target redis:primary --param delayMs=200 --param jitterMs=20\n' +
        '  windshear chaos heal\n\n' +
        'Selectors: kafka:controller-leader, kafka:partition-leader(topic=T,partition=N),\n' +
        '  kafka:most-leaders(topic=T), redis:primary, redis:replicas, postgres:primary, postgres:standby,\n' +
        '  service:<name>(count=N|all|az=az-b), az:az-b, random(kind=kafka,seed=7), haproxy, name:<component>',
    );

  chaos
    .command('list')
    .description('List the fault kinds, what each needs from the platform and its parameters.')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  windshear chaos list\n  windshear chaos list --json | jq -r ".[].name"',
    )
    .action((opts: { json?: boolean }) => {
      const faults = [...FAULTS.values()].map((f) => ({
        name: f.name,
        description: f.description,
        needs: [...f.needs],
        accepts: f.accepts,
        params: f.paramsHelp,
        ...(f.defaultSelector ? { defaultSelector: f.defaultSelector } : {}),
        ...(f.requiresFor ? { requiresFor: true } : {}),
      }));
      if (opts.json) {
        out(JSON.stringify(faults, null, 2));
        return;
      }
      const w = Math.max(...faults.map((f) => f.name.length));
      for (const f of faults) {
        out(`${f.name.padEnd(w)}  ${f.description}  [needs ${f.needs.join(', ')}]`);
        for (const p of f.params) out(`${' '.repeat(w)}    --param ${p}`);
      }
    });

  chaos
    .command('inject')
    .description(
      'Inject one fault now. With --for it heals when the time is up or on Ctrl-C; without, it stays.',
    )
    .argument('<fault>', 'fault kind (see `windshear chaos list`)')
    .option('--target <selector>', 'who is hit, resolved against live roles now')
    .option('--for <duration>', 'hold for this long, then heal (30s, 2m, 1500ms)')
    .option(
      '--param <k=v>',
      'fault parameter, repeatable',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--seed <n>', 'seed for random(...) selectors that name none')
    .addOption(platformOption())
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  windshear chaos inject kill --target kafka:controller-leader --for 30s\n' +
        '  windshear chaos inject pause --target postgres:primary --for 20s\n' +
        '  windshear chaos inject az-outage --target az:az-b --for 2m\n' +
        '  windshear chaos inject ingress-pause --for 5s      # calibrates RTO: expect ~5 s\n' +
        '  windshear chaos inject loss --target service:search-api(az=az-c) --param lossPercent=10\n' +
        '                                                     # stays until `windshear chaos heal`\n\n' +
        'Every injection appends its history events (targets with AZ and role, start and stop, each\n' +
        `step's exit code) to ${paths.chaosHistory()}, one JSON line each (t: ms since the\n` +
        'command started; wall: the time).',
    )
    .action(
      async (
        fault: string,
        opts: { target?: string; for?: string; param: string[]; seed?: string } & PlatformFlag,
      ) => {
        const forSec = opts.for === undefined ? null : parseDurationSec(opts.for);
        const params = parseParamPairs(opts.param);
        const seed = opts.seed === undefined ? undefined : Number(opts.seed);
        if (seed !== undefined && !Number.isInteger(seed))
          throw badInput('chaos-flags', `--seed must be an integer, got "${opts.seed}"`, 'e.g. --seed 7');
        const p = await platform(opts.platform);
        const journalPath = paths.journal();
        const clock = startClock();
        const onEvent = recordingSink();
        const signals = installHealOnSignals({ platform: p, journalPath, onEvent, clock });
        try {
          const { heal } = await injectFault(
            {
              faultId: `adhoc-${new Date().toISOString().replace(/[-:.]/g, '')}`,
              fault,
              ...(opts.target !== undefined ? { selector: opts.target } : {}),
              params,
              forSec,
              ...(seed !== undefined ? { seed } : {}),
            },
            { platform: p, journalPath, onEvent, clock },
            {
              signal: signals.signal,
              onApplied: () => {
                if (forSec !== null) out(`holding ${fault} for ${forSec}s; Ctrl-C heals now`);
              },
            },
          );
          if (heal) out(`healed (${heal.healed} step${heal.healed === 1 ? '' : 's'})`);
          else out(`${fault} stays injected. Heal it with: windshear chaos heal`);
        } finally {
          signals.uninstall();
        }
      },
    );

  chaos
    .command('heal')
    .description('Undo every fault still in the journal, last first (idempotent; also after a crash).')
    .addOption(platformOption())
    .addHelpText(
      'after',
      `\nExamples:\n  windshear chaos heal\n\nThe journal is ${paths.journal()} (WINDSHEAR_STATE moves it). Recovery steps\n` +
        `are appended to ${paths.chaosHistory()}, as \`chaos inject\` records its faults.`,
    )
    .action(async (opts: PlatformFlag) => {
      const p = await platform(opts.platform);
      const clock = startClock();
      const onEvent = recordingSink();
      const recovered: string[] = [];
      const report = await healAll(p, paths.journal(), {
        clock,
        onEvent: (e) => {
          if (e.kind === 'fault-step') recovered.push(e.faultId);
          onEvent(e);
        },
      });
      for (const e of stopsAfterHeal(recovered, readJournal(paths.journal()).outstanding, clock)) onEvent(e);
      const problems = healProblems(report);
      if (report.skipped) out(`skipped ${report.skipped} unreadable journal line(s)`);
      if (problems.length) throw new WindshearError(problems, EXIT.unknown);
      out(report.healed ? `healed ${report.healed} step(s)` : 'nothing to heal');
    });
}
