import { type Checker, errorMeasurement, type Measurement, msIn, round, unknown, within } from './checker.ts';
import type { RunData } from './load-run.ts';
import { isMeasurement } from './metric-windows.ts';
import { planDeviations } from './plan-deviations.ts';
import { type FaultSpan, faultSpans } from './run-windows.ts';
import { horizonMs, SETTLE_SEC, sliFor, sliRecovery } from './sli-recovery.ts';

/** Faults a row is about: params.faultKind matches the fault name exactly; every fault without it. */
export function faultsFor(run: RunData, faultKind: string | undefined): FaultSpan[] {
  return faultSpans(run).filter((f) => faultKind === undefined || f.fault === faultKind);
}

/**
 * `unknown` naming why, when a planned fault a row is about (params.faultKind, else every fault)
 * did not run as planned (planDeviations); null when they all did.
 */
export function notAsPlanned(run: RunData, faultKind: string | undefined): Measurement | null {
  const ids = new Set(
    run.plan.faults.filter((f) => faultKind === undefined || f.fault === faultKind).map((f) => f.id),
  );
  const off = planDeviations(run).filter((d) => ids.has(d.faultId));
  if (off.length === 0) return null;
  return unknown(`not measurable as planned: ${off.map((d) => d.detail).join('; ')}`, { deviations: off });
}

/**
 * The faults a row is about (params.faultKind, else every fault) with every fault of the run (for
 * horizons), or `unknown` saying why there is nothing to measure: a planned fault of that kind
 * did not run as planned, or none happened.
 */
export function faultsOfRow(
  run: RunData,
  row: Parameters<Checker>[1],
): { all: FaultSpan[]; faults: FaultSpan[] } | Measurement {
  const deviated = notAsPlanned(run, row.params?.faultKind);
  if (deviated) return deviated;
  const faults = faultsFor(run, row.params?.faultKind);
  if (faults.length === 0)
    return unknown(
      `no fault${row.params?.faultKind ? ` of kind ${row.params.faultKind}` : ''} happened in this run`,
    );
  return { all: faultSpans(run), faults };
}

export interface PerFault {
  faultId: string;
  fault: string;
  ms: number | null;
  /** When ms is null: time observed without recovery (fault start to horizon). */
  atLeastMs?: number;
  detectionMs?: number | null;
  /** Component times: the probe's median sampling gap. */
  resolutionMs?: number | null;
  /** Component times: the recovery lies after this (last seen unhealthy) and at or before ms. */
  notBeforeMs?: number;
  /** Component times: the probe could not observe between notBeforeMs and ms. */
  blindBefore?: boolean;
}

/**
 * Worst of the per-fault times in the row's unit. A fault that never recovered gives a lower
 * bound (fault start to horizon): it fails an upper-bound objective it already breaks and passes
 * a lower-bound objective it already meets; otherwise `unknown`.
 */
export function worstOf(per: PerFault[], row: Parameters<Checker>[1], what: string): Measurement {
  const evidence = { faults: per };
  const open = per.filter((p) => p.ms === null);
  const worstMs = Math.max(...per.map((p) => p.ms ?? p.atLeastMs ?? 0));
  const measured = round(msIn(worstMs, row.unit));
  const list = per.map(
    (p) => `${p.faultId} ${p.ms === null ? 'not recovered' : `${round(p.ms / 1000, 1)} s`}`,
  );
  // The true time is at least `measured` when a fault never recovered, and at most when read from
  // a probe's samples (it came after the last sample that saw the component unhealthy, and the
  // probe may have been blind in between): an upper-bound objective is decided by the other side.
  const upper = row.objective.op === '<' || row.objective.op === '<=';
  if (open.length === 0) {
    const detail = `worst ${what} over ${per.length} fault(s): ${list.join(', ')}`;
    // A time read from samples breaks an upper-bound objective only when the last time the
    // component was seen unhealthy already breaks it too (CI once read a Kafka leader 10.0 s after
    // the kill against < 10 s with a 1 s probe: it came between 9 and 10 s, so unknown, not fail).
    const breaking = per.filter((p) => p.ms !== null && !within(round(msIn(p.ms, row.unit)), row.objective));
    // Seen unhealthy at notBeforeMs, it recovered strictly after: at or over the bound, that breaks
    // `<=` as well as `<`; under it, the objective lies inside the interval.
    const blind = breaking.filter(
      (p) => p.notBeforeMs !== undefined && msIn(p.notBeforeMs, row.unit) < row.objective.value,
    );
    if (!upper || breaking.length === 0 || blind.length < breaking.length)
      return { measured, detail, evidence };
    const spans = blind.map(
      (p) =>
        `${p.faultId} between ${round((p.notBeforeMs as number) / 1000, 1)} and ${round((p.ms as number) / 1000, 1)} s`,
    );
    const why = blind.some((p) => p.blindBefore)
      ? 'the probe could not observe right before the recovery'
      : 'it was last seen unhealthy at the first time and healthy at the second (the probe samples)';
    return {
      measured,
      detail: `${detail}; ${why}, so it came ${spans.join(', ')}, and the objective lies inside`,
      evidence,
      verdict: 'unknown',
    };
  }
  const detail = `${open.map((p) => p.faultId).join(', ')} did not recover within ${round(worstMs / 1000, 1)} s observed (${what}); ${list.join(', ')}`;
  // A lower bound decides an upper-bound objective only when broken, a lower-bound one only when met.
  const inside = within(measured, row.objective);
  return {
    measured,
    detail,
    evidence,
    verdict: upper ? (inside ? 'unknown' : 'fail') : inside ? 'pass' : 'unknown',
  };
}

/**
 * `rto`: per fault of params.faultKind, fault start to the first moment after which the SLI
 * (sliFor: share of requests that succeeded within their bound, plus p95 when params.percentile
 * is 95) holds for SETTLE_SEC seconds;
 * measured = the worst fault.
 */
export const rto: Checker = (run, row, ctx) => {
  if (run.metrics === null) return unknown('metrics.jsonl is missing: no SLI to recover');
  const sel = faultsOfRow(run, row);
  if (isMeasurement(sel)) return sel;
  const { all, faults } = sel;
  const sli = sliFor(row, ctx.rows, ctx.bounds);
  const per: PerFault[] = faults.map((f) => {
    const h = horizonMs(run, all, f);
    const r = sliRecovery(run, f, h, sli, SETTLE_SEC);
    return {
      faultId: f.faultId,
      fault: f.fault,
      ms: r.rtoMs,
      atLeastMs: h - f.startMs,
      detectionMs: r.detectionMs,
    };
  });
  return worstOf(per, row, `SLI RTO (${sli.from}, settle ${SETTLE_SEC} s)`);
};

/**
 * `rto-error` (calibration): per fault of params.faultKind, |RTO − true outage| / true outage in
 * percent, where the true outage runs from fault-start to its last undo step in the history
 * (what happened, not what was planned); measured = the worst fault. A fault that never recovered is
 * `unknown` when its observed time is still within the objective, else `fail`.
 */
export const rtoError: Checker = (run, row, ctx) => {
  if (run.metrics === null) return unknown('metrics.jsonl is missing: no SLI to recover');
  const sel = faultsOfRow(run, row);
  if (isMeasurement(sel)) return sel;
  const { all, faults } = sel;
  const sli = sliFor(row, ctx.rows, ctx.bounds);
  const per = faults.map((f) => {
    const h = horizonMs(run, all, f);
    const r = sliRecovery(run, f, h, sli, SETTLE_SEC);
    // The outage ended when the last undo step ran (e.g. SIGCONT), which the history records
    // just before fault-stop; RTOs count from fault-start, so the truth does too.
    const healedAt = (run.history ?? [])
      .filter((e) => e.kind === 'fault-step' && e.faultId === f.faultId && e.step === 'recover')
      .reduce<number | null>((last, e) => Math.max(last ?? 0, e.t), null);
    const trueMs = (healedAt ?? f.stopMs ?? h) - f.startMs;
    const seenMs = r.rtoMs ?? h - f.startMs;
    return {
      f,
      trueMs,
      rtoMs: r.rtoMs,
      errPct: trueMs > 0 ? (100 * Math.abs(seenMs - trueMs)) / trueMs : null,
    };
  });
  const list = per.map(
    (p) =>
      `${p.f.faultId}: RTO ${p.rtoMs === null ? 'not recovered' : `${round(p.rtoMs / 1000, 3)} s`} for a ${round(p.trueMs / 1000, 3)} s outage`,
  );
  const errs = per.map((p) => p.errPct);
  if (errs.some((e) => e === null)) return unknown(`a fault with no span: ${list.join('; ')}`);
  const worst = round(Math.max(...(errs as number[])), 2);
  const evidence = {
    faults: per.map((p) => ({ faultId: p.f.faultId, trueMs: p.trueMs, rtoMs: p.rtoMs, errorPct: p.errPct })),
  };
  const detail = `worst error ${worst} % (${list.join('; ')}; SLI ${sli.from}, settle ${SETTLE_SEC} s)`;
  return errorMeasurement(
    worst,
    detail,
    evidence,
    per.some((p) => p.rtoMs === null),
    row.objective,
  );
};
