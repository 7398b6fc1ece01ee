import type { Phase, SloSource } from './run-format.ts';

/**
 * One objective of an SLO table (`scenarios/slo/*.yaml`), as plain data. The `metric` names the
 * checker in reports/checks that measures it; `params` narrows what it measures.
 */
export type MetricId =
  /** Latency percentile of a k6 tag over the window; params.tag, params.percentile (50|95|99). */
  | 'latency'
  /** Failed requests / all requests of a tag over the window; params.tag (`*` for all). */
  | 'error-rate'
  /** Successful requests / all requests over the window, in percent. */
  | 'availability'
  /** Achieved request rate in requests/s over the window (capacity targets are `scaled`). */
  | 'throughput'
  /** Highest step rate of a capacity run at which every other row still passed. */
  | 'capacity'
  /** SLI-based RTO per fault, seconds; params.faultKind narrows which faults count. */
  | 'rto'
  /**
   * Calibration: |RTO − the outage's true length| / true length, percent, worst fault; the true
   * length is the fault's span (applied to healed) in the run's history. params.faultKind, tag.
   */
  | 'rto-error'
  /**
   * Per-endpoint SLI RTO per fault, seconds: each endpoint under its own SLI; params.tag (one
   * endpoint) or params.except (every endpoint but those); worst endpoint and fault.
   */
  | 'endpoint-rto'
  /**
   * Per-endpoint calibration: |RTO of params.tag − HAProxy's re-admission| / re-admission, percent,
   * where re-admission runs from fault start to the first target server HAProxy's log marks UP again.
   */
  | 'endpoint-rto-error'
  /** Per-component recovery in seconds; params.what is the component event. */
  | 'component-recovery'
  /** Count of acknowledged writes not found after drain; params.kind narrows (`reservation`, `fare-update`). */
  | 'rpo-lost-writes'
  /** Seconds between the oldest lost acknowledgement and the fault start (0 when none lost). */
  | 'rpo-window'
  /** Count of idempotency keys found more than once. */
  | 'duplicates'
  /** Consumer lag; params.stat: `p95-sec` | `peak-sec` | `peak-offsets` | `drain-sec`; params.group. */
  | 'consumer-lag'
  /** Supplier event time to searchable, seconds; params.stat: `p95` | `max`. */
  | 'ingest-lag'
  /** Index write to visible in search, seconds (p95 over the window). */
  | 'index-refresh'
  /** Cache hits / (hits + misses) of the search path over the window, in percent. */
  | 'cache-hit-ratio'
  /** Seats sold beyond capacity, summed over flights. */
  | 'overbooking'
  /** Dropped iterations and achieved/intended rate; fails the run as unknown, never as fail. */
  | 'loadgen-validity'
  /** Share of search responses during faults that were degraded (200, flagged) rather than errors, percent. */
  | 'degraded-not-failed';

export type ComponentEvent =
  | 'kafka-leader'
  | 'kafka-isr'
  | 'redis-switch-master'
  | 'pg-writable'
  | 'lb-healthy'
  | 'stream-recovery'
  | 'search-green';

/** `steady` = every phase outside fault and recovery; `run` = from load start to load end. */
export type SloWindow = Extract<Phase, 'baseline' | 'fault' | 'recovery' | 'after'> | 'steady' | 'run';

export interface SloRow {
  /** Stable id, e.g. `search.latency.p95`; scenario files reference rows by id. */
  id: string;
  title: string;
  metric: MetricId;
  params?: {
    tag?: string;
    percentile?: 50 | 95 | 99;
    what?: ComponentEvent;
    stat?: string;
    group?: string;
    kind?: string;
    faultKind?: string;
    /** Endpoint tags left out (endpoint-rto). */
    except?: string[];
  };
  objective: { op: '<' | '<=' | '>' | '>='; value: number };
  /** Unit of `objective.value` and of the measured value: `ms`, `s`, `%`, `req/s`, `ops/s`, `count`. */
  unit: string;
  window: SloWindow;
  /**
   * Capacity targets are judged after scaling to the machine: the objective is multiplied by the
   * run's scale, and the report states the scale.
   */
  scaled?: boolean;
  source: SloSource;
}

/**
 * The SLI's latency bound of one endpoint (architecture.md: a request is good when it succeeded
 * and answered within its endpoint's bound). A request slower than `maxMs`, counted from its
 * intended start, was not served: it counts against availability, error budgets and RTOs.
 */
export interface LatencyBound {
  /** Endpoint tag, e.g. `search`; `*` is the bound of every endpoint without one of its own. */
  tag: string;
  maxMs: number;
  source: SloSource;
  /** How the bound was chosen, when that took a decision. */
  note?: string;
}

/** Bound of an endpoint that no table names (and no `*` bound covers). */
export const DEFAULT_BOUND_MS = 1000;

export interface SloTable {
  /** File it was loaded from, relative to the repo. */
  file: string;
  rows: SloRow[];
  /** Latency bounds of the SLI this table states (tables may state none). */
  bounds?: LatencyBound[];
}
