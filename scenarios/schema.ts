import { z } from 'zod';
import type { ProbeName } from '../lib/run-format.ts';
import type { ComponentEvent, LatencyBound, MetricId, SloRow, SloWindow } from '../lib/slo.ts';
import type { Topology } from '../system/topology.ts';
import { checkFault } from './check-fault.ts';
import { didYouMean } from './closest.ts';
import { buildTimeline } from './timeline.ts';

/**
 * The one schema of scenario files (`scenarios/catalog/*.yaml`) and SLO tables
 * (`scenarios/slo/*.yaml`). Pure: it sees plain data, never YAML; load-scenario.ts and load-slo.ts
 * map its issues to file lines. Every check reports every problem at once.
 */

// ---------------------------------------------------------------------------------------------
// Vocabularies

export const FAULT_KINDS = [
  'kill',
  'terminate',
  'pause',
  'restart',
  'az-outage',
  'partition',
  'delay',
  'loss',
  'bandwidth',
  'ingress-pause',
  'unsafe-config',
] as const;
export type FaultKindName = (typeof FAULT_KINDS)[number];

/** Load shapes; loadgen/profiles.ts turns a preset plus rate/steps into k6 scenarios. */
export const LOAD_PRESETS = ['baseline', 'peak', 'holiday-surge', 'soak', 'capacity-step'] as const;
export type LoadPreset = (typeof LOAD_PRESETS)[number];

export const PROFILE_NAMES = ['ci', 'nightly', 'drill'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** What the runner does after every fault healed and before the ledger drain. */
export const DRAIN_ACTIONS = ['dlq-replay'] as const;
export type DrainAction = (typeof DRAIN_ACTIONS)[number];

const keysOf = <K extends string>(r: Record<K, true>): K[] => Object.keys(r) as K[];

// Records, so the compiler fails when lib/ adds a member these lists miss.
export const PROBE_NAMES = keysOf<ProbeName>({
  kafka: true,
  'consumer-lag': true,
  redis: true,
  postgres: true,
  haproxy: true,
  api: true,
  'service-metrics': true,
  freshness: true,
  opensearch: true,
});
export const METRIC_IDS = keysOf<MetricId>({
  latency: true,
  'error-rate': true,
  availability: true,
  throughput: true,
  capacity: true,
  rto: true,
  'rto-error': true,
  'endpoint-rto': true,
  'endpoint-rto-error': true,
  'component-recovery': true,
  'rpo-lost-writes': true,
  'rpo-window': true,
  duplicates: true,
  'consumer-lag': true,
  'ingest-lag': true,
  'index-refresh': true,
  'cache-hit-ratio': true,
  overbooking: true,
  'loadgen-validity': true,
  'degraded-not-failed': true,
});
export const COMPONENT_EVENTS = keysOf<ComponentEvent>({
  'kafka-leader': true,
  'kafka-isr': true,
  'redis-switch-master': true,
  'pg-writable': true,
  'lb-healthy': true,
  'stream-recovery': true,
  'search-green': true,
});
export const SLO_WINDOWS = keysOf<SloWindow>({
  baseline: true,
  fault: true,
  recovery: true,
  after: true,
  steady: true,
  run: true,
});
export const SLO_UNITS = ['ms', 's', '%', 'req/s', 'ops/s', 'count'] as const;
export type SloUnit = (typeof SLO_UNITS)[number];

/** Units each metric is measured in; a row in another unit is a mistake. */
const METRIC_UNITS: Record<MetricId, readonly SloUnit[]> = {
  latency: ['ms'],
  'error-rate': ['%'],
  availability: ['%'],
  throughput: ['req/s', 'ops/s'],
  capacity: ['req/s', 'ops/s'],
  rto: ['s'],
  'rto-error': ['%'],
  'endpoint-rto': ['s'],
  'endpoint-rto-error': ['%'],
  'component-recovery': ['s'],
  'rpo-lost-writes': ['count'],
  'rpo-window': ['s'],
  duplicates: ['count'],
  'consumer-lag': ['s', 'count'],
  'ingest-lag': ['s'],
  'index-refresh': ['s'],
  'cache-hit-ratio': ['%'],
  overbooking: ['count'],
  'loadgen-validity': ['count', '%'],
  'degraded-not-failed': ['%'],
};

/** Params a metric cannot be measured without. */
const METRIC_PARAMS: Partial<Record<MetricId, readonly (keyof NonNullable<SloRow['params']>)[]>> = {
  latency: ['tag', 'percentile'],
  'error-rate': ['tag'],
  'rto-error': ['faultKind'],
  'endpoint-rto-error': ['faultKind', 'tag'],
  throughput: ['tag'],
  'component-recovery': ['what'],
  'consumer-lag': ['stat', 'group'],
  'ingest-lag': ['stat'],
  'loadgen-validity': ['stat'],
};

// ---------------------------------------------------------------------------------------------
// Durations

/** Go-style durations as k6 writes them: `20s`, `1m30s`, `500ms`, `1.5h`. */
const DURATION_RE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const DURATION_PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const UNIT_SEC: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Seconds in a duration (`'1m30s'` → 90, `20` → 20); null when it is not one. */
export function parseDurationSec(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string' || !DURATION_RE.test(value.trim())) return null;
  let sec = 0;
  for (const m of value.trim().matchAll(DURATION_PART_RE)) sec += Number(m[1]) * (UNIT_SEC[m[2] ?? 's'] ?? 1);
  return Math.round(sec * 1000) / 1000;
}

const duration = (what: string, positive: boolean) =>
  z.unknown().transform((v, ctx): number => {
    const sec = parseDurationSec(v);
    if (sec === null || (positive && sec <= 0)) {
      ctx.addIssue({
        code: 'custom',
        message:
          v === undefined
            ? `missing ${what}`
            : `${what} ${JSON.stringify(v)} is not a ${positive ? 'positive ' : ''}duration`,
        params: { fix: 'write seconds as a number (20) or a duration such as "20s", "1m30s", "500ms"' },
      });
      return z.NEVER;
    }
    return sec;
  });

// ---------------------------------------------------------------------------------------------
// Field help: the `fix` of a problem at a path with no more specific advice. `[]` is any index.

const HELP: Record<string, string> = {
  name: 'name the scenario in kebab-case, the same as its file name, e.g. name: broker-loss',
  hypothesis: 'state, in one sentence ending with a full stop, what the platform should do under this fault',
  load: 'add load: { preset: baseline, durationSec: 75, rate: 2000 }',
  'load.preset': `one of: ${LOAD_PRESETS.join(', ')}`,
  'load.durationSec': 'length of the load in seconds, a positive number',
  'load.rate': 'arrival rate in requests/s before scale (a positive number)',
  'load.steps': 'steps: [{ rate: 1000, durationSec: 12 }, ...] (capacity-step only)',
  'load.flows':
    'flows: [search] — only these flows (search, price, reservation, booking), the rate split by their shares',
  'load.steps[].rate': 'arrival rate of this step in requests/s before scale',
  'load.steps[].durationSec': 'length of this step in seconds',
  supplierFeed: 'supplierFeed: { ratePerSec: 10000 } (supplier messages/s before scale)',
  'supplierFeed.ratePerSec': 'supplier messages/s before scale, a number >= 0',
  ledger: 'ledger: { reservationsPerSec: 1000, fareUpdatesPerSec: 500 } (before scale)',
  'ledger.reservationsPerSec': 'checkable reservations/s before scale, a number >= 0',
  'ledger.fareUpdatesPerSec': 'checkable fare updates/s before scale, a number >= 0',
  faults: 'faults: a list of { at, for, fault, target, params? }',
  'faults[]':
    'each fault is { id?, at: 20s, for: 30s, fault: kill, target: kafka:controller-leader, params? }',
  'faults[].id': 'a short kebab-case id, unique in the scenario, e.g. kill-leader',
  'faults[].fault': `one of: ${FAULT_KINDS.join(', ')}`,
  'faults[].target':
    'a selector such as kafka:controller-leader, redis:primary, service:stream(count=1), az:az-b',
  'faults[].params': "a map of the fault kind's parameters, e.g. { delayMs: 200 }",
  probes: `a list of probe names: ${PROBE_NAMES.join(', ')}`,
  slos: 'a list of SLO row ids from scenarios/slo/*.yaml, e.g. [search.latency.p95, rto.single-component]',
  settleSec: 'seconds the SLI must stay within objective to count as recovered (default 5)',
  recoverySec: 'length in seconds of the recovery phase after each fault (default 30)',
  drainActions: `a list of: ${DRAIN_ACTIONS.join(', ')}`,
  profiles: `overrides per profile: ${PROFILE_NAMES.join(', ')}`,
  rows: 'rows: a list of SLO rows { id, title, metric, params?, objective, unit, window, scaled?, source, note? }',
  'rows[].id': 'a stable dotted id, e.g. search.latency.p95',
  'rows[].title': 'a short title stating the objective, e.g. "Search p95 latency at most 40 ms"',
  'rows[].metric': `one of: ${METRIC_IDS.join(', ')}`,
  'rows[].objective': "objective: { op: '<=', value: 40 }",
  'rows[].objective.op': "one of: '<', '<=', '>', '>='",
  'rows[].unit': `one of: ${SLO_UNITS.join(', ')}`,
  'rows[].window': `one of: ${SLO_WINDOWS.join(', ')}`,
  'rows[].source': 'source: { seed: <seed file name>, table: <table or section heading>, row: <quoted row> }',
  'rows[].source.seed': 'the seed file name, e.g. 000_7ae5c9fc6e99809f.txt, or architecture.md',
  'rows[].params.what': `one of: ${COMPONENT_EVENTS.join(', ')}`,
  'rows[].params.percentile': 'one of: 50, 95, 99',
  'rows[].params.faultKind': `one of: ${FAULT_KINDS.join(', ')}`,
  'rows[].params.except': 'a list of endpoint tags left out, e.g. [search, price]',
  'bounds[].tag':
    'an endpoint tag (search, price, reserve, reservation-get, book) or * for every other endpoint',
  'bounds[].maxMs': 'milliseconds > 0: an answer slower than this (from the intended start) was not served',
};

/** `faults[1].target` → `faults[].target`, the key of HELP. */
function helpKey(path: readonly PropertyKey[]): string {
  return pathText(path.map((p) => (typeof p === 'number' ? -1 : p))).replace(/\[-1\]/g, '[]');
}

/** `['faults', 1, 'target']` → `faults[1].target`. */
export function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// SLO tables

const SLO_ID_RE = /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/;
/** `NNN_<16 hex>.txt` seed files, or the harness's own design document. */
const SEED_RE = /^(?:\d{3}_[0-9a-f]{16}\.txt|architecture\.md)$/;

export const SloRowSchema = z.strictObject({
  id: z.string().regex(SLO_ID_RE, { error: 'an SLO id is lower-case words joined by "." or "-"' }),
  title: z.string().min(1),
  metric: z.enum(METRIC_IDS),
  params: z
    .strictObject({
      tag: z.string().min(1).optional(),
      percentile: z.union([z.literal(50), z.literal(95), z.literal(99)]).optional(),
      what: z.enum(COMPONENT_EVENTS).optional(),
      stat: z.string().min(1).optional(),
      group: z.string().min(1).optional(),
      kind: z.enum(['reservation', 'fare-update']).optional(),
      faultKind: z.enum(FAULT_KINDS).optional(),
      except: z.array(z.string().min(1)).min(1).optional(),
    })
    .optional(),
  objective: z.strictObject({ op: z.enum(['<', '<=', '>', '>=']), value: z.number() }),
  unit: z.enum(SLO_UNITS),
  window: z.enum(SLO_WINDOWS),
  /** Capacity targets: the objective is multiplied by the run's scale. */
  scaled: z.boolean().optional(),
  source: z.strictObject({
    seed: z.string().regex(SEED_RE, { error: 'not a seed file name' }),
    table: z.string().min(1),
    row: z.string().min(1),
  }),
  /** How the seed's words became this bound, when that took a decision ("≈ 10 s" → <= 15 s). */
  note: z.string().min(1).optional(),
});

/** An SLO row as loaded: lib/slo.ts's SloRow plus the optional note (load-slo.ts proves it assignable). */
export type LoadedSloRow = z.output<typeof SloRowSchema>;

const sourceSchema = z.strictObject({
  seed: z.string().regex(SEED_RE, { error: 'not a seed file name' }),
  table: z.string().min(1),
  row: z.string().min(1),
});

/** The SLI's latency bound of one endpoint (lib/slo.ts LatencyBound). */
export const LatencyBoundSchema = z.strictObject({
  tag: z.string().min(1),
  maxMs: z.number().positive(),
  source: sourceSchema,
  note: z.string().min(1).optional(),
});

export const SloTableFileSchema = z
  .strictObject({
    rows: z.array(SloRowSchema).min(1),
    bounds: z.array(LatencyBoundSchema).optional(),
  })
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    for (const [i, b] of (t.bounds ?? []).entries()) {
      if (seen.has(b.tag))
        ctx.addIssue({
          code: 'custom',
          path: ['bounds', i, 'tag'],
          message: `a second bound for tag ${b.tag}`,
        });
      seen.add(b.tag);
    }
  });

// ---------------------------------------------------------------------------------------------
// Scenarios

const SCENARIO_NAME_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const FAULT_ID_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const rate = z.number().positive();
const nonNegative = z.number().min(0);

export const LoadSchema = z.strictObject({
  preset: z.enum(LOAD_PRESETS),
  /** Seconds of load; for capacity-step the sum of the steps. */
  durationSec: z.number().positive(),
  /** Arrival rate in requests/s before scale; the preset's default when absent. */
  rate: rate.optional(),
  /** capacity-step only: consecutive constant-rate steps, rates before scale. */
  steps: z
    .array(z.strictObject({ rate, durationSec: z.number().positive() }))
    .min(1)
    .optional(),
  /**
   * Seconds at the start of the load that no steady-window row judges (phase `warmup`): the
   * platform settling under load (JIT, connection pools, caches, the stream catching up). Not
   * stretched by a profile's duration multiplier: settling takes the time it takes.
   */
  warmupSec: nonNegative.optional(),
  /** Only these flows (search, price, reservation, booking), the rate split by their shares. */
  flows: z
    .array(z.enum(['search', 'price', 'reservation', 'booking']))
    .min(1)
    .optional(),
});
export type LoadSpec = z.output<typeof LoadSchema>;

export const FaultSchema = z.strictObject({
  id: z.string().regex(FAULT_ID_RE, { error: 'a fault id is kebab-case, e.g. kill-leader' }).optional(),
  /** Seconds since load start. */
  at: duration('at', false),
  /** Seconds the fault stays applied before it is healed. */
  for: duration('for', true),
  fault: z.enum(FAULT_KINDS),
  target: z.string().min(1),
  params: z.record(z.string(), z.unknown()).optional(),
});

const ProfileOverrideSchema = z.strictObject({
  /** Seconds of load in this profile; the whole timeline is stretched to it (faults keep `for`). */
  durationSec: z.number().positive().optional(),
  /** Scale in this profile, overriding the profile's default. */
  scale: z.number().positive().optional(),
});
export type ProfileOverride = z.output<typeof ProfileOverrideSchema>;

export const ScenarioSchema = z.strictObject({
  name: z.string().regex(SCENARIO_NAME_RE, { error: 'a scenario name is kebab-case, e.g. broker-loss' }),
  hypothesis: z.string().min(1),
  load: LoadSchema,
  /** Supplier feed in messages/s before scale; seed 000 sizes the platform for 10,000 msg/s. */
  supplierFeed: z.strictObject({ ratePerSec: nonNegative }).default({ ratePerSec: 10_000 }),
  /** Checkable operations per second before scale. */
  ledger: z
    .strictObject({
      reservationsPerSec: nonNegative.default(1000),
      fareUpdatesPerSec: nonNegative.default(500),
    })
    .default({ reservationsPerSec: 1000, fareUpdatesPerSec: 500 }),
  faults: z.array(FaultSchema).default([]),
  probes: z.array(z.enum(PROBE_NAMES)).default([...PROBE_NAMES]),
  slos: z.array(z.string()).min(1),
  /** Seconds the SLI must stay within objective to count as recovered (RTO), also the settle before drain. */
  settleSec: z.number().min(0).default(5),
  /** Seconds of the recovery phase after each fault group. */
  recoverySec: z.number().min(0).default(30),
  drainActions: z.array(z.enum(DRAIN_ACTIONS)).default([]),
  /**
   * A negative control: the system is made unsafe on purpose (e.g. the unsafe-config fault) and
   * the run must end in `fail`. Its verdict is then the expected outcome; a pass means the harness
   * missed the damage.
   */
  negativeControl: z.boolean().default(false),
  profiles: z
    .strictObject({
      ci: ProfileOverrideSchema.optional(),
      nightly: ProfileOverrideSchema.optional(),
      drill: ProfileOverrideSchema.optional(),
    })
    .optional(),
});

type ParsedScenario = z.output<typeof ScenarioSchema>;

/** A fault of a validated scenario: id always set, times in seconds. */
export interface ScenarioFault {
  id: string;
  fault: FaultKindName;
  /** Selector text (chaos/select.ts), resolved at injection time. */
  target: string;
  atSec: number;
  forSec: number;
  params?: Record<string, unknown>;
}

/** A validated scenario: what scenario.json in a run directory holds. */
export interface Scenario extends Omit<ParsedScenario, 'faults'> {
  faults: ScenarioFault[];
}

// ---------------------------------------------------------------------------------------------
// Issues

/** A problem found in plain data, before it is tied to a file line. */
export interface SchemaIssue {
  code: string;
  path: (string | number)[];
  message: string;
  fix?: string;
  /** The problem is the key itself (an unknown key), not its value. */
  atKey?: boolean;
}

/** Keys the schema allows at `path`, for "did you mean" on unknown keys. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: z.ZodType | undefined = schema;
  const unwrap = (t: z.ZodType): z.ZodType => {
    let cur = t;
    for (;;) {
      if (cur instanceof z.ZodOptional || cur instanceof z.ZodDefault) cur = cur.unwrap() as z.ZodType;
      else if (cur instanceof z.ZodPipe) cur = cur.in as z.ZodType;
      else return cur;
    }
  };
  for (const p of path) {
    if (!s) return [];
    const u = unwrap(s);
    if (u instanceof z.ZodObject && typeof p === 'string') s = (u.shape as Record<string, z.ZodType>)[p];
    else if (u instanceof z.ZodArray && typeof p === 'number') s = u.element as z.ZodType;
    else if (u instanceof z.ZodRecord) s = u.valueType as z.ZodType;
    else return [];
  }
  const u = s ? unwrap(s) : undefined;
  return u instanceof z.ZodObject ? Object.keys(u.shape) : [];
}

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a map' : JSON.stringify(v);

/** Zod's issues as SchemaIssues with a message and a fix a person can act on. */
export function issuesFromZod(error: z.ZodError, schema: z.ZodType, code: string): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  for (const i of error.issues) {
    const path = i.path.filter((p): p is string | number => typeof p !== 'symbol');
    const where = pathText(path);
    const help = HELP[helpKey(path)];
    const last = path.at(-1);
    switch (i.code) {
      case 'unrecognized_keys': {
        const allowed = keysAt(schema, path);
        for (const key of i.keys) {
          out.push({
            code,
            path: [...path, key],
            atKey: true,
            message: `unknown key "${key}"${where ? ` in ${where}` : ''}`,
            fix: `${didYouMean(key, allowed)}allowed keys here: ${allowed.join(', ')}`,
          });
        }
        break;
      }
      case 'invalid_value': {
        const values = i.values.map((v) => String(v));
        out.push({
          code,
          path,
          message:
            typeof last === 'string'
              ? `${describe(i.input)} is not a valid ${last}`
              : `${describe(i.input)} is not allowed in ${pathText(path.slice(0, -1))}`,
          fix: `${typeof i.input === 'string' ? didYouMean(i.input, values) : ''}use one of: ${values.join(', ')}`,
        });
        break;
      }
      case 'invalid_type': {
        const missing = i.input === undefined;
        out.push({
          code,
          path,
          message: missing
            ? `missing required key "${String(last)}"`
            : `${where || 'the document'} should be ${i.expected === 'object' ? 'a map' : i.expected === 'array' ? 'a list' : `a ${i.expected}`}, not ${describe(i.input)}`,
          ...(help ? { fix: missing ? `add "${String(last)}": ${help}` : help } : {}),
        });
        break;
      }
      case 'custom': {
        const fix = (i.params as { fix?: unknown } | undefined)?.fix;
        out.push({
          code,
          path,
          message: i.message,
          ...(typeof fix === 'string' ? { fix } : help ? { fix: help } : {}),
        });
        break;
      }
      default:
        out.push({
          code,
          path,
          message: `${where || 'document'}: ${i.message}`,
          ...(help ? { fix: help } : {}),
        });
    }
  }
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
// Checks beyond the shape

/**
 * Cross-field checks of one raw SLO row. Each field is parsed on its own, so a row with one bad
 * field still gets its other checks (every problem at once).
 */
export function sloRowIssues(raw: unknown, path: (string | number)[]): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const row = isRecord(raw) ? raw : {};
  const shape = SloRowSchema.shape;
  const metric = shape.metric.safeParse(row.metric);
  if (!metric.success) return issues;
  const unit = shape.unit.safeParse(row.unit);
  const units = METRIC_UNITS[metric.data];
  if (unit.success && !units.includes(unit.data)) {
    issues.push({
      code: 'slo-unit',
      path: [...path, 'unit'],
      message: `metric ${metric.data} is measured in ${units.join(' or ')}, not ${unit.data}`,
      fix: `set unit: ${units[0]}`,
    });
  }
  const params = shape.params.safeParse(row.params);
  if (params.success) {
    const missing = (METRIC_PARAMS[metric.data] ?? []).filter((p) => params.data?.[p] === undefined);
    if (missing.length > 0) {
      issues.push({
        code: 'slo-params',
        path: [...path, 'params'],
        message: `metric ${metric.data} needs ${missing.map((p) => `params.${p}`).join(' and ')}`,
        fix: `add params: { ${missing.map((p) => `${p}: ...`).join(', ')} } (see the MetricId comments in lib/slo.ts)`,
      });
    }
  }
  if (row.scaled === true && metric.data !== 'throughput' && metric.data !== 'capacity') {
    issues.push({
      code: 'slo-scaled',
      path: [...path, 'scaled'],
      message: `only capacity targets (throughput, capacity) are scaled; ${metric.data} is not`,
      fix: 'remove scaled: true',
    });
  }
  return issues;
}

/** Validates a parsed SLO table file; rows are returned only when there is no issue. */
export function checkSloTable(raw: unknown): {
  rows: LoadedSloRow[] | null;
  bounds: LatencyBound[];
  issues: SchemaIssue[];
} {
  const r = SloTableFileSchema.safeParse(raw, { reportInput: true });
  const issues = r.success ? [] : issuesFromZod(r.error, SloTableFileSchema, 'slo-schema');
  const rawRows = isRecord(raw) && Array.isArray(raw.rows) ? raw.rows : [];
  const seen = new Map<string, number>();
  rawRows.forEach((rawRow, i) => {
    issues.push(...sloRowIssues(rawRow, ['rows', i]));
    const id = SloRowSchema.shape.id.safeParse(isRecord(rawRow) ? rawRow.id : undefined);
    if (!id.success) return;
    const first = seen.get(id.data);
    if (first !== undefined) {
      issues.push({
        code: 'duplicate-id',
        path: ['rows', i, 'id'],
        message: `SLO id "${id.data}" is already used by rows[${first}]`,
        fix: 'give every row its own id',
      });
    } else seen.set(id.data, i);
  });
  const ok = r.success && issues.length === 0;
  return { rows: ok ? r.data.rows : null, bounds: ok ? (r.data.bounds ?? []) : [], issues };
}

const ONE_SENTENCE_RE = /^[^\n]+[.!?]$/;
const SENTENCE_BREAK_RE = /[.!?]\s+[A-Z]/;

/**
 * Validates plain scenario data. `sloIds` are the rows the scenario may reference; `topologies`
 * those of the profiles it runs in, whose components, AZs and services its selectors must name.
 * Pieces that parse are cross-checked even when others do not, so one pass reports every problem.
 */
export function checkScenario(
  raw: unknown,
  ctx: { sloIds: ReadonlySet<string>; topologies?: readonly Topology[] },
): { scenario: Scenario | null; issues: SchemaIssue[] } {
  const r = ScenarioSchema.safeParse(raw, { reportInput: true });
  const issues = r.success ? [] : issuesFromZod(r.error, ScenarioSchema, 'scenario-schema');
  const obj = isRecord(raw) ? raw : {};

  if (typeof obj.hypothesis === 'string' && obj.hypothesis.trim() !== '') {
    const h = obj.hypothesis.trim();
    if (!ONE_SENTENCE_RE.test(h) || SENTENCE_BREAK_RE.test(h)) {
      issues.push({
        code: 'hypothesis',
        path: ['hypothesis'],
        message: 'the hypothesis should be one sentence ending with a full stop',
        fix: 'state one falsifiable claim, e.g. "When the Kafka controller dies, a new leader is elected within 10 s and no acknowledged write is lost."',
      });
    }
  }

  if (Array.isArray(obj.slos)) {
    const seen = new Set<string>();
    obj.slos.forEach((id, i) => {
      if (typeof id !== 'string') return;
      if (!ctx.sloIds.has(id)) {
        issues.push({
          code: 'unknown-slo-row',
          path: ['slos', i],
          message: `no SLO row has the id "${id}"`,
          fix: `${didYouMean(id, ctx.sloIds)}\`windshear list --slos\` lists every SLO row (scenarios/slo/*.yaml)`,
        });
      }
      if (seen.has(id)) {
        issues.push({
          code: 'duplicate-slo',
          path: ['slos', i],
          message: `SLO row "${id}" is listed twice`,
          fix: 'list it once',
        });
      }
      seen.add(id);
    });
  }

  const load = LoadSchema.safeParse(obj.load);
  if (load.success) {
    const l = load.data;
    if (l.preset === 'capacity-step') {
      if (!l.steps) {
        issues.push({
          code: 'load-steps',
          path: ['load'],
          message: 'a capacity-step load needs steps',
          fix: 'add steps: [{ rate: 1000, durationSec: 12 }, { rate: 2000, durationSec: 12 }, ...]',
        });
      } else {
        const sum = Math.round(l.steps.reduce((s, x) => s + x.durationSec, 0) * 1000) / 1000;
        if (sum !== l.durationSec) {
          issues.push({
            code: 'load-steps',
            path: ['load', 'durationSec'],
            message: `load.durationSec is ${l.durationSec} but the steps last ${sum} s`,
            fix: `set durationSec: ${sum}`,
          });
        }
      }
      if (l.rate !== undefined) {
        issues.push({
          code: 'load-steps',
          path: ['load', 'rate'],
          message: 'a capacity-step load takes its rates from steps, not rate',
          fix: 'remove rate',
        });
      }
    } else if (l.steps) {
      issues.push({
        code: 'load-steps',
        path: ['load', 'steps'],
        message: `steps are for the capacity-step preset, not ${l.preset}`,
        fix: 'remove steps, or use preset: capacity-step',
      });
    }
  }

  // Faults: kind, target and params checks, ids, then the timeline.
  const faults: ScenarioFault[] = [];
  /** Index in the file of each entry of `faults`. */
  const faultIndex: number[] = [];
  const rawFaults = Array.isArray(obj.faults) ? obj.faults : [];
  const ids = new Map<string, number>();
  rawFaults.forEach((rawFault, index) => {
    const f = FaultSchema.safeParse(rawFault);
    if (!f.success) return;
    for (const fi of checkFault(f.data, ctx.topologies)) {
      issues.push({
        code: fi.code,
        path: ['faults', index, ...fi.path],
        message: fi.message,
        ...(fi.fix ? { fix: fi.fix } : {}),
      });
    }
    const id = f.data.id ?? `${f.data.fault}-${index + 1}`;
    const first = ids.get(id);
    if (first !== undefined) {
      issues.push({
        code: 'duplicate-id',
        path: ['faults', index, f.data.id ? 'id' : 'fault'],
        message: `fault id "${id}" is already used by faults[${first}]`,
        fix: 'give each fault its own id',
      });
    } else ids.set(id, index);
    faultIndex.push(index);
    faults.push({
      id,
      fault: f.data.fault,
      target: f.data.target,
      atSec: f.data.at,
      forSec: f.data.for,
      ...(f.data.params ? { params: f.data.params } : {}),
    });
  });

  // The timeline needs only the load's length, so it is checked even when other load keys are wrong.
  const durationSec = LoadSchema.shape.durationSec.safeParse(
    isRecord(obj.load) ? obj.load.durationSec : undefined,
  );
  const recovery = ScenarioSchema.shape.recoverySec.safeParse(obj.recoverySec);
  if (durationSec.success && recovery.success) {
    const warmup = LoadSchema.shape.warmupSec.safeParse(isRecord(obj.load) ? obj.load.warmupSec : undefined);
    const timeline = buildTimeline({
      durationSec: durationSec.data,
      recoverySec: recovery.data,
      warmupSec: warmup.success ? (warmup.data ?? 0) : 0,
      faults: faults.map((f, i) => ({
        index: faultIndex[i] ?? i,
        id: f.id,
        atSec: f.atSec,
        forSec: f.forSec,
      })),
    });
    for (const t of timeline.issues) {
      issues.push({ code: t.code, path: ['faults', t.index, t.field], message: t.message, fix: t.fix });
    }
    const profiles = ScenarioSchema.shape.profiles.safeParse(obj.profiles);
    if (profiles.success && profiles.data) {
      for (const [name, o] of Object.entries(profiles.data)) {
        if (o?.durationSec === undefined) continue;
        if (o.durationSec < durationSec.data) {
          issues.push({
            code: 'profile-duration',
            path: ['profiles', name, 'durationSec'],
            message: `profiles.${name}.durationSec (${o.durationSec}) is shorter than load.durationSec (${durationSec.data})`,
            fix: `a profile stretches the timeline; use at least ${durationSec.data}, or shorten the load itself`,
          });
        }
      }
    }
  }

  if (!r.success || issues.length > 0) return { scenario: null, issues };
  return { scenario: { ...r.data, faults }, issues };
}
