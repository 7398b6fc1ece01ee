import type { RunMs } from '../../lib/run-format.ts';
import type { SloRow } from '../../lib/slo.ts';
import { ENDPOINTS } from '../../loadgen/profiles.ts';
import { type Checker, errorMeasurement, msIn, round, unknown, within } from './checker.ts';
import type { SliBounds } from './good-requests.ts';
import { lbReadmission } from './lb-readmission.ts';
import type { RunData } from './load-run.ts';
import { isMeasurement } from './metric-windows.ts';
import { faultsOfRow } from './rto.ts';
import type { FaultSpan } from './run-windows.ts';
import { horizonMs, SETTLE_SEC, sliFor, sliRecovery } from './sli-recovery.ts';

const ALL = '*';

/** One endpoint's recovery from one fault, under that endpoint's own SLI. */
export interface EndpointRto {
  tag: string;
  /** Fault start to the endpoint's SLI met again for a settle window; 0 when it never left it; null when not recovered (or nothing was due). */
  rtoMs: number | null;
  /** Fault start to the endpoint's first bad request; null when none. */
  detectionMs: number | null;
  /** Requests of the endpoint due in [fault start, horizon): 0 means not measured. */
  requests: number;
}

/** Endpoint tags the run has requests of (not `*`): the load engine's endpoints first, in its order. */
export function endpointTags(run: Pick<RunData, 'metrics' | 'requests'>): string[] {
  const tags = new Set<string>();
  if (run.requests) for (const r of run.requests) tags.add(r.tag);
  else for (const w of run.metrics ?? []) if (w.count > 0) tags.add(w.tag);
  tags.delete(ALL);
  const known = ENDPOINTS.filter((e) => tags.has(e));
  return [...known, ...[...tags].filter((t) => !(known as string[]).includes(t)).sort()];
}

/** Requests of `tag` due in [from, to): from the request records, else the per-second windows. */
function dueCount(run: Pick<RunData, 'metrics' | 'requests'>, tag: string, from: RunMs, to: RunMs): number {
  if (run.requests)
    return run.requests.filter((r) => r.tag === tag && r.issuedMs >= from && r.issuedMs < to).length;
  const s0 = Math.floor(from / 1000);
  const s1 = Math.ceil(to / 1000);
  return (run.metrics ?? [])
    .filter((w) => w.tag === tag && w.sec >= s0 && w.sec < s1)
    .reduce((n, w) => n + w.count, 0);
}

/**
 * Each endpoint's SLI RTO for one fault: the RTO definition (fault-recovery.ts sliRecovery) over
 * that endpoint's requests alone, each judged by its own latency bound, its success objective
 * that of the table's availability (else error-rate) row for the tag (else the default). A second
 * in which nothing of the endpoint was due is neutral (the booking flow runs at 0.1 req/s in ci):
 * it neither detects nor breaks a settle window.
 */
export function endpointRtos(
  run: RunData,
  fault: FaultSpan,
  horizon: RunMs,
  rows: readonly SloRow[],
  bounds: SliBounds,
  tags: readonly string[] = endpointTags(run),
): EndpointRto[] {
  return tags.map((tag) => {
    const requests = dueCount(run, tag, fault.startMs, horizon);
    if (requests === 0) return { tag, rtoMs: null, detectionMs: null, requests };
    const sli = sliFor({ id: `endpoint ${tag}`, params: { tag } }, rows, bounds);
    const r = sliRecovery(run, fault, horizon, sli, SETTLE_SEC, { emptySeconds: 'neutral' });
    return { tag, rtoMs: r.rtoMs, detectionMs: r.detectionMs, requests };
  });
}

const sec = (ms: number) => `${round(ms / 1000, 3)} s`;

/**
 * `endpoint-rto`: per fault of params.faultKind, the SLI RTO of each endpoint in scope
 * (params.tag alone, else every endpoint of the run but params.except), in the row's time unit;
 * measured = the worst. `unknown` when an endpoint in scope had no request due during a fault
 * (not measured); a fault an endpoint never recovered from gives a lower bound (as `rto`).
 */
export const endpointRto: Checker = (run, row, ctx) => {
  if (run.metrics === null) return unknown('metrics.jsonl is missing: no SLI to recover');
  const sel = faultsOfRow(run, row);
  if (isMeasurement(sel)) return sel;
  const except = new Set(row.params?.except ?? []);
  const tags = row.params?.tag ? [row.params.tag] : endpointTags(run).filter((t) => !except.has(t));
  if (tags.length === 0)
    return unknown(`the run has no requests of an endpoint in scope (all but ${[...except].join(', ')})`);
  const per = sel.faults.flatMap((f) => {
    const h = horizonMs(run, sel.all, f);
    return endpointRtos(run, f, h, ctx.rows, ctx.bounds, tags).map((e) => ({
      faultId: f.faultId,
      ...e,
      atLeastMs: h - f.startMs,
    }));
  });
  const evidence = { endpoints: per };
  const list = per
    .map(
      (p) =>
        `${p.faultId} ${p.tag} ${p.requests === 0 ? 'no request due' : p.rtoMs === null ? 'not recovered' : sec(p.rtoMs)}`,
    )
    .join(', ');
  const measuredPer = per.filter((p) => p.requests > 0);
  if (measuredPer.length === 0)
    return unknown(`no endpoint in scope had a request due during the fault: ${list}`);
  const worstMs = Math.max(...measuredPer.map((p) => p.rtoMs ?? p.atLeastMs));
  const measured = round(msIn(worstMs, row.unit));
  const detail = `worst per-endpoint SLI RTO ${sec(worstMs)} (settle ${SETTLE_SEC} s): ${list}`;
  const upper = row.objective.op === '<' || row.objective.op === '<=';
  const inside = within(measured, row.objective);
  if (measuredPer.some((p) => p.rtoMs === null))
    // A lower bound decides an upper objective only when broken, a lower one only when met.
    return {
      measured,
      detail,
      evidence,
      verdict: upper ? (inside ? 'unknown' : 'fail') : inside ? 'pass' : 'unknown',
    };
  if (measuredPer.length < per.length)
    return {
      measured,
      detail: `${detail}; an endpoint in scope had no request due during a fault, so it was not measured`,
      evidence,
      verdict: upper && !inside ? 'fail' : 'unknown',
    };
  return { measured, detail, evidence };
};

/**
 * `endpoint-rto-error` (per-endpoint calibration): per fault of params.faultKind, |RTO of
 * params.tag − truth| / truth in percent, where the truth is HAProxy's own record: fault start to
 * the first target server it marked UP again after marking one DOWN (lbReadmission, from
 * logs/haproxy.log, µs timestamps); measured = the worst fault. `unknown` without that record, or
 * when HAProxy marked no target DOWN (not the outage planned) or none UP before the horizon.
 */
export const endpointRtoError: Checker = (run, row, ctx) => {
  if (run.metrics === null) return unknown('metrics.jsonl is missing: no SLI to recover');
  const tag = row.params?.tag;
  if (!tag) return unknown('endpoint-rto-error needs params.tag: the endpoint whose RTO is calibrated');
  const sel = faultsOfRow(run, row);
  if (isMeasurement(sel)) return sel;
  if (!run.lbTransitions)
    return unknown(
      "the run kept no HAProxy log with timed health changes (logs/haproxy.log): no re-admission to compare with; HAProxy's config needs its `log` line (chaos/platforms/local/configs/haproxy-config.ts)",
    );
  const per: {
    faultId: string;
    truthMs: number | null;
    rtoMs: number | null;
    requests: number;
    errorPct: number | null;
    downMs: number | null;
    resumedMs: number | null;
    server: string | null;
    atLeastMs: number;
  }[] = sel.faults.map((f) => {
    const h = horizonMs(run, sel.all, f);
    const lb = lbReadmission(run, f, h);
    const [e] = endpointRtos(run, f, h, ctx.rows, ctx.bounds, [tag]);
    const resumedAt = (run.history ?? [])
      .filter((x) => x.kind === 'fault-step' && x.faultId === f.faultId && x.step === 'recover')
      .reduce<number | null>((last, x) => Math.max(last ?? 0, x.t), null);
    const truthMs = lb?.upMs ?? null;
    const seenMs = e?.rtoMs ?? h - f.startMs;
    return {
      faultId: f.faultId,
      truthMs,
      rtoMs: e?.rtoMs ?? null,
      requests: e?.requests ?? 0,
      errorPct: truthMs !== null && truthMs > 0 ? (100 * Math.abs(seenMs - truthMs)) / truthMs : null,
      downMs: lb?.downMs ?? null,
      resumedMs: resumedAt === null ? null : resumedAt - f.startMs,
      server: lb?.upServer ?? null,
      atLeastMs: h - f.startMs,
    };
  });
  const list = per
    .map((p) => {
      const lb =
        p.downMs === null
          ? 'HAProxy marked no target DOWN'
          : p.truthMs === null
            ? `HAProxy marked a target DOWN at ${sec(p.downMs)} and none UP again`
            : `HAProxy: DOWN at ${sec(p.downMs)}, resumed at ${p.resumedMs === null ? '?' : sec(p.resumedMs)}, ${p.server} UP at ${sec(p.truthMs)}${p.resumedMs === null ? '' : ` (${sec(p.truthMs - p.resumedMs)} after the resume)`}`;
      const rto = p.requests === 0 ? 'no request due' : p.rtoMs === null ? 'not recovered' : sec(p.rtoMs);
      return `${p.faultId}: ${tag} RTO ${rto}; ${lb}`;
    })
    .join('; ');
  const evidence = { tag, faults: per };
  const missing = per.filter((p) => p.truthMs === null || p.requests === 0);
  if (missing.length > 0) return unknown(`no truth or no measurement for ${tag}: ${list}`, evidence);
  const worst = round(Math.max(...per.map((p) => p.errorPct ?? 0)), 2);
  const detail = `worst error ${worst} % of the re-admission truth (${list}; settle ${SETTLE_SEC} s)`;
  return errorMeasurement(
    worst,
    detail,
    evidence,
    per.some((p) => p.rtoMs === null),
    row.objective,
  );
};
