/**
 * The stored run is the contract between running and judging (architecture.md, style 6).
 * Every file of a run directory `reports/runs/<scenario>/<UTC stamp>/` is described here; its
 * names, schemas, reader and writers are in lib/run-store, the only code that touches the files.
 *
 *   scenario.json     the validated Scenario (scenarios/schema)
 *   plan.json         RunPlan
 *   environment.json  RunEnvironment
 *   history.jsonl     one HistoryEvent per line, in time order
 *   metrics.jsonl     one LatencyWindow per line (per second, per tag), folded from the records
 *   requests.jsonl.gz one RequestRecord per request (loadgen/request-record.ts), any engine;
 *                     runs recorded before it have k6-points.jsonl.gz (k6's `--out json`) instead
 *   generator.json    GeneratorRecord: the load engine's self-check
 *   load-plan.json    the plan the engine ran (k6-config.json when the engine was k6)
 *   ledger.jsonl      one LedgerOp per line
 *   readback.json     Readback: what the durable stores held after drain
 *   results.json      RunResults (written by the checkers, re-written by `windshear check`)
 *   report.html, junit.xml, summary.md   renderers' output
 *   logs/             component logs copied at the end of the run; logs/haproxy.log holds HAProxy's
 *                     own record of server health changes (LbTransition), read by the store
 */

export const RUN_FORMAT_VERSION = 1;

/** Milliseconds since the run started, from a monotonic clock. */
export type RunMs = number;

export type Phase = 'setup' | 'warmup' | 'baseline' | 'fault' | 'recovery' | 'after' | 'drain' | 'teardown';

export type Verdict = 'pass' | 'fail' | 'unknown';

export type AzName = 'az-a' | 'az-b' | 'az-c';

/** A component instance as a fault or probe saw it at that moment. */
export interface TargetRef {
  /** Component instance name from the topology, e.g. `kafka-1`, `redis-a`, `pg-a`, `search-api-b1`. */
  name: string;
  /** `edge` for the ingress, which sits outside every AZ. */
  az: AzName | 'edge';
  /** Role at injection time: `controller-leader`, `partition-leader`, `primary`, `replica`, ... */
  role?: string;
  /** For a whole-AZ target: the components in that AZ, so checkers know what it took down. */
  members?: string[];
}

interface EventBase {
  t: RunMs;
  /** ISO-8601 wall-clock time, for humans and for joining with component logs. */
  wall: string;
}

export type HistoryEvent =
  | (EventBase & { kind: 'run-start'; scenario: string; profile: string; scale: number; seed: number })
  | (EventBase & { kind: 'phase'; phase: Phase })
  | (EventBase & {
      kind: 'fault-start';
      faultId: string;
      fault: string;
      selector: string;
      targets: TargetRef[];
    })
  | (EventBase & {
      kind: 'fault-step';
      faultId: string;
      step: 'apply' | 'recover';
      action: string;
      exitCode: number;
      detail?: string;
    })
  | (EventBase & { kind: 'fault-stop'; faultId: string })
  | (EventBase & {
      kind: 'fault-error';
      faultId: string;
      /** `inject`: the fault was not applied as planned; `heal`: what it applied was not all undone. */
      stage: 'inject' | 'heal';
      /** Stable codes of the problems, e.g. `selector-matched-nothing`, `fault-step-failed`, `heal-failed`. */
      codes: string[];
      message: string;
    })
  | (EventBase & {
      kind: 'sample';
      probe: ProbeName;
      ok: boolean;
      data: ProbeData;
      error?: string;
      /** HTTP requests this observation made to the platform's services (absent: none, or not counted). */
      requests?: number;
    })
  | (EventBase & { kind: 'note'; level: 'info' | 'warn' | 'error'; message: string })
  /** Whether the platform was steady under its background load before time zero (scenarios/run/steady-state.ts). */
  | (EventBase & { kind: 'steady-state'; reached: boolean; waitedMs: number; detail: string })
  | (EventBase & { kind: 'run-end'; status: 'completed' | 'aborted' | 'error'; reason?: string });

export type ProbeName =
  | 'kafka'
  | 'consumer-lag'
  | 'redis'
  | 'postgres'
  | 'haproxy'
  | 'api'
  | 'service-metrics'
  | 'freshness'
  | 'opensearch';

/** Data of a `sample` event, by probe. A probe that could not observe writes ok=false. */
export type ProbeData =
  | KafkaSample
  | ConsumerLagSample
  | RedisSample
  | PostgresSample
  | HaproxySample
  | ApiSample
  | ServiceMetricsSample
  | FreshnessSample
  | OpensearchSample
  | Record<string, never>;

export interface KafkaSample {
  /** Node id of the active KRaft controller, null when none. */
  controller: number | null;
  brokers: number[];
  partitions: { topic: string; partition: number; leader: number | null; isr: number[] }[];
}

export interface ConsumerLagSample {
  groups: {
    group: string;
    topic: string;
    /** Sum over partitions of log end offset minus committed offset. */
    lagOffsets: number;
    /** Age in seconds of the oldest unconsumed record (0 when caught up). */
    lagSec: number;
  }[];
}

export interface RedisSample {
  /** What each Sentinel reports as the primary, `ip:port`, null if it did not answer. */
  sentinels: { name: string; primary: string | null }[];
  /** The primary all answering Sentinels agree on, else null. */
  primary: string | null;
  /** Component name of that primary in the topology, when known. */
  primaryName: string | null;
}

export interface PostgresSample {
  /** Component name of the node that accepts writes, null when none does. */
  primary: string | null;
  writable: boolean;
  /** Bytes of WAL the standby is behind, null when there is no streaming standby. */
  replicationLagBytes: number | null;
  syncState: 'sync' | 'async' | 'quorum' | 'potential' | null;
}

export interface HaproxySample {
  servers: { backend: string; server: string; az: AzName | null; status: 'UP' | 'DOWN' | 'MAINT' | 'NOLB' }[];
}

/**
 * One server's health change as HAProxy logged it in logs/haproxy.log (RFC 5424 lines with
 * microsecond wall-clock timestamps, chaos/platforms/local/configs/haproxy-config.ts): when the
 * load balancer itself took a server out of rotation (DOWN) and re-admitted it (UP).
 */
export interface LbTransition {
  /** On the run's clock: the logged wall time minus the run's epoch start (from the history). */
  t: RunMs;
  /** The wall time as logged (ISO-8601, µs). */
  wall: string;
  backend: string;
  server: string;
  status: 'UP' | 'DOWN';
}

export interface ApiSample {
  ready: boolean;
  status: number | null;
  latencyMs: number | null;
}

export interface ServiceMetricsSample {
  /** Counters are cumulative since the service started; checkers take differences. */
  cacheHits: number;
  cacheMisses: number;
  breakers: { name: string; state: 'closed' | 'open' | 'half-open' }[];
  degradedResponses: number;
}

export interface FreshnessSample {
  /** Supplier event time to searchable, per probe update, in seconds. */
  ingestLagSec: number | null;
  /** Index write acknowledged to visible in search, in seconds (what the refresh interval decides). */
  indexRefreshSec: number | null;
  /** The probe's index write itself, request to acknowledgement, in seconds (absent in older runs). */
  indexWriteSec?: number | null;
}

/** OpenSearch cluster health (`_cluster/health`) as one node reports it; null fields: no node answered. */
export interface OpensearchSample {
  status: 'green' | 'yellow' | 'red' | null;
  /** Nodes in the cluster (number_of_nodes). */
  nodes: number | null;
  /** Shard copies assigned to no node (unassigned_shards). */
  unassignedShards: number | null;
  /** Active shard copies of all copies, percent (active_shards_percent_as_number). */
  activeShardsPercent: number | null;
  /** The node whose answer this is: the first of the topology's OpenSearch nodes that answered. */
  from: string | null;
  /** The topology's OpenSearch nodes that answered within the timeout, in topology order. */
  answered: string[];
  /** The topology's OpenSearch nodes that did not (answered + silent: every node of the topology). */
  silent: string[];
}

/**
 * One second of one endpoint tag (or `*` for all), folded from the request records. Latency is
 * from the intended start (the send lag plus the request's duration; k6 reports no lag).
 */
export interface LatencyWindow {
  /**
   * The second (whole seconds since the run started) in which the requests were *due* (their
   * intended start): a request sent during an outage counts there even when it times out after
   * recovery.
   */
  sec: number;
  /** Endpoint tag, e.g. `search`, `price`, `reserve`, `book`; `*` is every request. */
  tag: string;
  count: number;
  errors: number;
  /** HDR histogram of latency in microseconds, hdr-histogram-js compressed base64 encoding. */
  hdr: string;
  /** Arrivals the engine did not send in this second (k6: dropped iterations; only on `*`). */
  droppedIterations?: number;
  /** Intended arrival rate (requests/s) the profile asked for in this second (only on `*`). */
  intendedRate?: number;
}

/** The load engine's self-check of one run (generator.json). */
export interface GeneratorRecord {
  engine: string;
  intended: number;
  achieved: number;
  unsent: number;
  /** Requests sent more than `lateLagMs` after their intended start. */
  late: number;
  lateLagMs?: number;
  lagP99Ms: number | null;
  lagMaxMs: number | null;
  engineCpuSec: number | null;
  engineMaxRssMiB: number | null;
  valid: boolean;
  reason?: string;
}

export type LedgerOpKind = 'reservation' | 'fare-update';

/** Jepsen-style operation record. One `invoke` is followed by exactly one completion. */
export interface LedgerOp {
  /** Unique op id; completion lines repeat the invoke's id. */
  id: string;
  kind: LedgerOpKind;
  type: 'invoke' | 'ok' | 'fail' | 'unknown';
  t: RunMs;
  wall: string;
  /** Idempotency key (reservations) or `supplier:offer` (fare updates). */
  key: string;
  /** Fare version written (fare updates). */
  version?: number;
  /** What the system answered with on ok: reservation id, partition and offset when known. */
  result?: { reservationId?: string; partition?: number; offset?: string };
  error?: string;
}

/** What the durable stores held after the run drained: the input of the RPO checker. */
export interface Readback {
  /** ISO time the read-back finished. */
  at: string;
  /** Reservations found, by idempotency key, with how many rows carry that key. */
  reservations: Record<string, { count: number; reservationId: string }>;
  /** Highest fare version found per `supplier:offer` key. */
  fares: Record<string, number>;
  /** Seats sold per flight and seats it had, for the no-overbooking check. */
  inventory?: { flightId: string; capacity: number; sold: number }[];
}

export interface RunPlan {
  scenario: string;
  /** A negative control: the system was made unsafe on purpose and the verdict must be `fail`. */
  negativeControl?: boolean;
  profile: string;
  scale: number;
  seed: number;
  /** Planned phase boundaries in seconds since run start. */
  phases: { phase: Phase; atSec: number }[];
  faults: PlannedFault[];
  /** The k6 options the harness passes (k6's own vocabulary: scenarios, executors, stages). */
  k6: Record<string, unknown>;
  ledger: { reservationsPerSec: number; fareUpdatesPerSec: number };
  supplierFeedPerSec: number;
  durationSec: number;
}

export interface PlannedFault {
  id: string;
  fault: string;
  selector: string;
  atSec: number;
  forSec: number;
  params?: Record<string, unknown>;
}

export interface RunEnvironment {
  windshear: string;
  commit: string | null;
  node: string;
  platform: string;
  machine: { cpus: number; memoryBytes: number; kernel: string };
  components: { name: string; version: string }[];
  seed: number;
  scale: number;
}

export interface SloVerdict {
  /** The SLO row id, e.g. `search.p95`. */
  id: string;
  title: string;
  verdict: Verdict;
  /** Measured value in `unit`, null when it could not be measured. */
  measured: number | null;
  objective: { op: '<' | '<=' | '>' | '>='; value: number };
  unit: string;
  /** Distance to the objective in `unit`, positive when inside it. */
  margin: number | null;
  /** Why, in one sentence: what was measured over which window, or why it is unknown. */
  detail: string;
  source: SloSource;
  /** Checker-specific evidence the report shows (lost ids, per-fault RTOs, ...). */
  evidence?: unknown;
}

export interface SloSource {
  /** Seed file name, e.g. `000_7ae5c9fc6e99809f.txt`. */
  seed: string;
  /** Table or section heading it comes from. */
  table: string;
  /** The row or line, quoted. */
  row: string;
}

export interface RunResults {
  formatVersion: typeof RUN_FORMAT_VERSION;
  scenario: string;
  runDir: string;
  verdict: Verdict;
  slos: SloVerdict[];
  /** Per-fault recovery measurements, also summarised in `slos`. */
  faults: FaultMeasurement[];
  /** Lost acknowledged writes, with where they were and what was happening. */
  lostWrites: LostWrite[];
  duplicates: { key: string; count: number }[];
  judgedAt: string;
  /** SLO table files used, so a re-judgement against a changed table is visible. */
  sloTables: string[];
  /** The SLI's latency bounds applied (endpoints without one: `*`, else 1000 ms), with their sources. */
  bounds?: { tag: string; maxMs: number; source: SloSource }[];
  /** Copied from the plan: `fail` is this run's expected outcome (the harness caught the damage). */
  negativeControl?: boolean;
}

/**
 * What a verdict means for the exit code and the summary: a negative control must fail, so its
 * `fail` counts as `pass` (caught) and `pass` as `fail` (the harness missed the damage); an
 * `unknown` run (invalid, not as planned) shows nothing either way and stays `unknown`.
 */
export function outcomeOf(r: Pick<RunResults, 'verdict' | 'negativeControl'>): Verdict {
  if (!r.negativeControl || r.verdict === 'unknown') return r.verdict;
  return r.verdict === 'fail' ? 'pass' : 'fail';
}

export interface FaultMeasurement {
  faultId: string;
  fault: string;
  targets: TargetRef[];
  startMs: RunMs;
  stopMs: RunMs | null;
  /** SLI-based RTO: fault start to the start of the first full settle window within objective. */
  rtoMs: number | null;
  /** Fault start to the first second the SLI left its objective; null if it never did. */
  detectionMs: number | null;
  /** Per-component recovery, e.g. `kafka-leader`, `redis-switch-master`, `pg-writable`, `lb-healthy`. */
  /**
   * Per component event: recovery (ms from fault start), detection (the first unhealthy sample)
   * and the probe's resolution (median gap between its samples during the fault).
   */
  components: { what: string; ms: number | null; detectedMs?: number | null; resolutionMs?: number | null }[];
  /**
   * Per endpoint, under its own SLI (reports/checks/endpoint-rto.ts): RTO and detection from fault
   * start, and the requests due in the fault's horizon (0: not measured). Absent in older results.
   */
  endpoints?: { tag: string; rtoMs: number | null; detectionMs: number | null; requests: number }[];
  /**
   * HAProxy's own record of the fault (logs/haproxy.log): the first target it marked DOWN and the
   * first it marked UP again after that, ms from fault start; absent when it marked no target DOWN
   * or the run kept no timed HAProxy log.
   */
  lb?: { downServer: string; downMs: number; upServer: string | null; upMs: number | null };
}

export interface LostWrite {
  opId: string;
  key: string;
  kind: LedgerOpKind;
  ackedAt: RunMs;
  partition?: number;
  offset?: string;
  /** Fault active when the write was acknowledged, if any. */
  faultId?: string;
  /** Leader or primary at that moment, from the nearest sample. */
  leader?: string;
}
