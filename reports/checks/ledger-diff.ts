import type { LedgerOp, LedgerOpKind, LostWrite, Readback, RunMs } from '../../lib/run-format.ts';
import { TOPICS } from '../../system/contracts.ts';
import { samplesOf } from './checker.ts';
import type { RunData } from './load-run.ts';
import { type FaultSpan, faultActiveAt, faultSpans } from './run-windows.ts';

export interface UnknownOp {
  opId: string;
  key: string;
  kind: LedgerOpKind;
  /** Completion time; the invoke time when the op never completed. */
  t: RunMs;
  /** How it ended: found in the durable store or not (never counted as lost). */
  found: boolean;
  /** True when the ledger holds an invoke without any completion. */
  incomplete: boolean;
}

export interface LedgerDiff {
  /** Acknowledged (`ok`) writes checked against the read-back. */
  acknowledged: number;
  lost: LostWrite[];
  unknownOps: UnknownOp[];
  /** ok fare updates without a version: they cannot be checked. */
  uncheckable: string[];
  duplicates: { key: string; count: number }[];
}

/** Whether the read-back holds an op: reservations by idempotency key, fare updates by version <= stored max. */
export function foundInReadback(op: LedgerOp, readback: Readback): boolean | null {
  if (op.kind === 'reservation') return (readback.reservations[op.key]?.count ?? 0) > 0;
  if (op.version === undefined) return null;
  const stored = readback.fares[op.key];
  return stored !== undefined && op.version <= stored;
}

/**
 * Who led at `t`, from the nearest sample: the Kafka leader of the op's partition when known
 * (`kafka:<node>`, only when every topic agrees on it), else the Postgres primary (`postgres:<name>`).
 */
/** Topic a ledger write of this kind is acknowledged on (the partition in its answer is of it). */
const TOPIC_OF: Record<string, string> = {
  reservation: TOPICS.reservationCommands.name,
  'fare-update': TOPICS.supplierRaw.name,
};

function leaderAt(run: RunData, t: RunMs, partition: number | undefined, kind: string): string | undefined {
  const nearest = <T>(xs: { t: number; data: T }[] | null) =>
    (xs ?? []).reduce<{ t: number; data: T } | undefined>(
      (best, s) => (best === undefined || Math.abs(s.t - t) < Math.abs(best.t - t) ? s : best),
      undefined,
    );
  if (partition !== undefined) {
    const k = nearest(samplesOf(run, 'kafka'));
    const topic = TOPIC_OF[kind];
    const leaders = new Set(
      k?.data.partitions
        .filter((p) => p.partition === partition && (topic === undefined || p.topic === topic))
        .map((p) => p.leader),
    );
    const [only] = [...leaders];
    if (leaders.size === 1 && only !== undefined && only !== null) return `kafka:${only}`;
  }
  const pg = nearest(samplesOf(run, 'postgres'));
  return pg?.data.primary ? `postgres:${pg.data.primary}` : undefined;
}

/** Diffs the ledger against the read-back: lost = acknowledged but not found. Needs both. */
export function diffLedger(run: RunData, ledger: readonly LedgerOp[], readback: Readback): LedgerDiff {
  const faults = faultSpans(run);
  const invokes = new Map<string, LedgerOp>();
  const done = new Set<string>();
  const lost: LostWrite[] = [];
  const unknownOps: UnknownOp[] = [];
  const uncheckable: string[] = [];
  let acknowledged = 0;
  for (const op of ledger) {
    if (op.type === 'invoke') {
      invokes.set(op.id, op);
      continue;
    }
    done.add(op.id);
    // The version and key of a completion may be left to the invoke.
    const inv = invokes.get(op.id);
    const full: LedgerOp = { ...op, version: op.version ?? inv?.version };
    if (op.type === 'ok') {
      acknowledged += 1;
      const found = foundInReadback(full, readback);
      if (found === null) uncheckable.push(op.id);
      else if (!found) {
        const fault = faultActiveAt(faults, op.t);
        const leader = leaderAt(run, op.t, op.result?.partition, op.kind);
        lost.push({
          opId: op.id,
          key: op.key,
          kind: op.kind,
          ackedAt: op.t,
          ...(op.result?.partition !== undefined ? { partition: op.result.partition } : {}),
          ...(op.result?.offset !== undefined ? { offset: op.result.offset } : {}),
          ...(fault ? { faultId: fault.faultId } : {}),
          ...(leader ? { leader } : {}),
        });
      }
    } else if (op.type === 'unknown') {
      unknownOps.push({
        opId: op.id,
        key: op.key,
        kind: op.kind,
        t: op.t,
        found: foundInReadback(full, readback) === true,
        incomplete: false,
      });
    }
  }
  for (const [id, op] of invokes)
    if (!done.has(id))
      unknownOps.push({
        opId: id,
        key: op.key,
        kind: op.kind,
        t: op.t,
        found: foundInReadback(op, readback) === true,
        incomplete: true,
      });
  const duplicates = Object.entries(readback.reservations)
    .filter(([, r]) => r.count > 1)
    .map(([key, r]) => ({ key, count: r.count }))
    .sort((a, b) => a.key.localeCompare(b.key));
  return { acknowledged, lost, unknownOps, uncheckable, duplicates };
}

/**
 * The fault an RPO window is measured against: the one active at `t`, else the first to start
 * after it, else the last before it.
 */
export function faultFor(faults: readonly FaultSpan[], t: RunMs): FaultSpan | undefined {
  return (
    faultActiveAt(faults, t) ??
    faults.find((f) => f.startMs > t) ??
    [...faults].reverse().find((f) => f.startMs <= t)
  );
}
