import { z } from 'zod';
import type {
  FaultMeasurement,
  GeneratorRecord,
  HistoryEvent,
  LatencyWindow,
  LedgerOp,
  LostWrite,
  PlannedFault,
  Readback,
  RunEnvironment,
  RunPlan,
  RunResults,
  SloVerdict,
} from '../run-format.ts';
import { RUN_FILES } from './run-files.ts';

/** What the store reads of scenario.json (the validated Scenario): its name and SLO ids. */
export interface StoredScenario {
  name?: string;
  slos?: string[];
}

/** An array of objects may check only some fields of each element (with looseOf, in turn). */
type Checked<X> = X extends readonly (infer E)[] ? (E extends object ? Partial<E>[] : X) : X;

/**
 * A loose object schema for type T: each checked field must be a field of T and parse to T's type
 * (checked by the compiler), so the schema cannot drift from lib/run-format.ts. Fields it does not
 * list pass through unchecked: runs recorded by earlier versions stay readable.
 */
export const looseOf =
  <T>() =>
  <S extends { [K in keyof T]?: z.ZodType<Checked<T[K]>> } & { [K in Exclude<keyof S, keyof T>]: never }>(
    shape: S,
  ) =>
    z.looseObject(shape);

const phase = z.enum(['setup', 'warmup', 'baseline', 'fault', 'recovery', 'after', 'drain', 'teardown']);
const verdict = z.enum(['pass', 'fail', 'unknown']);

const plan = looseOf<RunPlan>()({
  scenario: z.string(),
  scale: z.number(),
  phases: z.array(looseOf<RunPlan['phases'][number]>()({ phase, atSec: z.number() })),
  faults: z.array(
    looseOf<PlannedFault>()({
      id: z.string(),
      fault: z.string(),
      selector: z.string(),
      atSec: z.number(),
      forSec: z.number(),
    }),
  ),
  k6: z.record(z.string(), z.unknown()),
  durationSec: z.number(),
});

const scenario = looseOf<StoredScenario>()({
  name: z.string().optional(),
  slos: z.array(z.string()).optional(),
});

const environment = looseOf<RunEnvironment>()({});

/** Each history line: the fields every event has; `kind` selects the rest (run-format.ts). */
const historyEvent = looseOf<Pick<HistoryEvent, 't' | 'wall'> & { kind: string }>()({
  t: z.number(),
  wall: z.string(),
  kind: z.string(),
});

const latencyWindow = looseOf<LatencyWindow>()({
  sec: z.number(),
  tag: z.string(),
  count: z.number(),
  errors: z.number(),
  hdr: z.string(),
  droppedIterations: z.number().optional(),
  intendedRate: z.number().optional(),
});

const ledgerOp = looseOf<LedgerOp>()({
  id: z.string(),
  kind: z.enum(['reservation', 'fare-update']),
  type: z.enum(['invoke', 'ok', 'fail', 'unknown']),
  t: z.number(),
  key: z.string(),
});

const generator = looseOf<GeneratorRecord>()({
  engine: z.string(),
  intended: z.number(),
  achieved: z.number(),
  unsent: z.number(),
  late: z.number(),
  lagP99Ms: z.number().nullable(),
  valid: z.boolean(),
});

const readback = looseOf<Readback>()({
  at: z.string(),
  reservations: z.record(z.string(), z.looseObject({ count: z.number(), reservationId: z.string() })),
  fares: z.record(z.string(), z.number()),
  inventory: z
    .array(z.looseObject({ flightId: z.string(), capacity: z.number(), sold: z.number() }))
    .optional(),
});

const results = looseOf<RunResults>()({
  formatVersion: z.literal(1),
  scenario: z.string(),
  verdict,
  slos: z.array(
    looseOf<SloVerdict>()({
      id: z.string(),
      title: z.string(),
      verdict,
      measured: z.number().nullable(),
      objective: z.object({ op: z.enum(['<', '<=', '>', '>=']), value: z.number() }),
      unit: z.string(),
      margin: z.number().nullable(),
      detail: z.string(),
      source: z.object({ seed: z.string(), table: z.string(), row: z.string() }),
    }),
  ),
  faults: z.array(looseOf<FaultMeasurement>()({ faultId: z.string(), startMs: z.number() })),
  lostWrites: z.array(looseOf<LostWrite>()({ opId: z.string(), key: z.string() })),
  duplicates: z.array(z.object({ key: z.string(), count: z.number() })),
});

/**
 * One schema per JSON file (the whole document) and per JSONL file (one line). Only the fields
 * checkers and renderers rely on are checked; the type each file parses to is in RunFileTypes.
 */
export const RUN_SCHEMAS = {
  [RUN_FILES.scenario]: scenario,
  [RUN_FILES.plan]: plan,
  [RUN_FILES.environment]: environment,
  [RUN_FILES.history]: historyEvent,
  [RUN_FILES.metrics]: latencyWindow,
  [RUN_FILES.generator]: generator,
  [RUN_FILES.ledger]: ledgerOp,
  [RUN_FILES.readback]: readback,
  [RUN_FILES.results]: results,
} as const;

/** What each schema-checked file holds: the document (JSON) or one line (JSONL). */
export interface RunFileTypes {
  'scenario.json': StoredScenario;
  'plan.json': RunPlan;
  'environment.json': RunEnvironment;
  'history.jsonl': HistoryEvent;
  'metrics.jsonl': LatencyWindow;
  'generator.json': GeneratorRecord;
  'ledger.jsonl': LedgerOp;
  'readback.json': Readback;
  'results.json': RunResults;
}

export type JsonFileName =
  | 'scenario.json'
  | 'plan.json'
  | 'environment.json'
  | 'generator.json'
  | 'readback.json'
  | 'results.json';
export type JsonlFileName = 'history.jsonl' | 'metrics.jsonl' | 'ledger.jsonl';
