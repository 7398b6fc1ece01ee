import { type Checker, type Measurement, msIn, round, unknown } from './checker.ts';
import { diffLedger, faultFor, type LedgerDiff } from './ledger-diff.ts';
import type { RunData } from './load-run.ts';
import { faultSpans } from './run-windows.ts';

/** The ledger diff restricted to params.kind, or an unknown measurement saying what is missing. */
function diffFor(run: RunData, kind: string | undefined): LedgerDiff | Measurement {
  if (run.ledger === null) return unknown('ledger.jsonl is missing: no acknowledged writes to check');
  if (run.readback === null)
    return unknown('readback.json is missing: the durable stores were not read back');
  const d = diffLedger(
    run,
    run.ledger.filter((op) => kind === undefined || op.kind === kind),
    run.readback,
  );
  if (d.acknowledged === 0) return unknown(`the ledger has no acknowledged ${kind ?? 'write'}s`);
  return d;
}

const isUnknown = (x: LedgerDiff | Measurement): x is Measurement => 'detail' in x;

function summary(d: LedgerDiff) {
  const unknownFound = d.unknownOps.filter((u) => u.found).length;
  return {
    acknowledged: d.acknowledged,
    lost: d.lost,
    unknownOps: {
      total: d.unknownOps.length,
      found: unknownFound,
      notFound: d.unknownOps.length - unknownFound,
      ops: d.unknownOps,
    },
    uncheckable: d.uncheckable,
  };
}

/**
 * `rpo-lost-writes`: acknowledged (`ok`) writes of params.kind not found after drain
 * (reservations by idempotency key, fare updates by version <= stored max). Ops that ended
 * `unknown` are reported apart, never counted as lost.
 */
export const rpoLostWrites: Checker = (run, row) => {
  const d = diffFor(run, row.params?.kind);
  if (isUnknown(d)) return d;
  const s = summary(d);
  const extra = d.uncheckable.length > 0 ? `; ${d.uncheckable.length} ok fare updates carry no version` : '';
  return {
    measured: d.lost.length,
    detail: `${d.lost.length} of ${d.acknowledged} acknowledged writes lost; ${s.unknownOps.total} unknown ops (${s.unknownOps.found} found, ${s.unknownOps.notFound} not)${extra}`,
    evidence: s,
    ...(d.uncheckable.length > 0 && d.lost.length === 0 ? { verdict: 'unknown' as const } : {}),
  };
};

/**
 * `rpo-window`: time between the oldest lost acknowledgement and the start of the fault active at
 * that moment (else the next fault, else the previous one), absolute, in the row's unit; 0 when
 * nothing was lost.
 */
export const rpoWindow: Checker = (run, row) => {
  const d = diffFor(run, row.params?.kind);
  if (isUnknown(d)) return d;
  if (d.lost.length === 0)
    return {
      measured: 0,
      detail: `none of ${d.acknowledged} acknowledged writes lost`,
      evidence: summary(d),
    };
  const oldest = d.lost.reduce((a, b) => (b.ackedAt < a.ackedAt ? b : a));
  const fault = faultFor(faultSpans(run), oldest.ackedAt);
  if (!fault)
    return unknown(
      `${d.lost.length} writes lost but no fault happened to measure the window against`,
      summary(d),
    );
  const spanMs = Math.abs(fault.startMs - oldest.ackedAt);
  const when = oldest.ackedAt < fault.startMs ? 'before' : 'after';
  return {
    measured: round(msIn(spanMs, row.unit)),
    detail: `oldest lost write ${oldest.opId} was acknowledged ${round(spanMs / 1000, 3)} s ${when} ${fault.faultId} started; ${d.lost.length} lost`,
    evidence: { ...summary(d), oldest, faultId: fault.faultId },
  };
};

/** `duplicates`: idempotency keys found more than once in the read-back. */
export const duplicates: Checker = (run) => {
  if (run.readback === null)
    return unknown('readback.json is missing: the durable stores were not read back');
  const dups = Object.entries(run.readback.reservations).filter(([, r]) => r.count > 1);
  const list = dups.map(([key, r]) => ({ key, count: r.count }));
  return {
    measured: list.length,
    detail: `${list.length} of ${Object.keys(run.readback.reservations).length} reservation keys found more than once`,
    evidence: { duplicates: list },
  };
};
