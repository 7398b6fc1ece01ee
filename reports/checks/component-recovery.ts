import { type Checker, round, unknown } from './checker.ts';
import { componentRecovery, PROBE_OF_EVENT, sampledDuring } from './fault-recovery.ts';
import { isMeasurement } from './metric-windows.ts';
import { faultsOfRow, type PerFault, worstOf } from './rto.ts';
import { horizonMs } from './sli-recovery.ts';

/**
 * `component-recovery`: per fault of params.faultKind, the params.what component time; worst
 * fault. `unknown` when such a fault did not run as planned, or when the component's probe has no
 * sample during one of them (a component check with no data is not "not involved").
 */
export const componentRecoveryChecker: Checker = (run, row, ctx) => {
  const what = row.params?.what;
  if (!what) return unknown(`${row.id} has no params.what`);
  if (run.history === null) return unknown('history.jsonl is missing: no probe samples');
  const sel = faultsOfRow(run, row);
  if (isMeasurement(sel)) return sel;
  const { all, faults } = sel;
  const blind = faults.filter((f) => !sampledDuring(run, what, f, horizonMs(run, all, f)));
  if (blind.length > 0)
    return unknown(
      `${what} has no data: no ${PROBE_OF_EVENT[what]} samples during ${blind
        .map(
          (f) => `${f.faultId} (${round(f.startMs / 1000, 1)}-${round(horizonMs(run, all, f) / 1000, 1)} s)`,
        )
        .join(', ')}`,
      { unsampledFaults: blind.map((f) => f.faultId) },
    );
  const per: PerFault[] = faults.flatMap((f) => {
    const h = horizonMs(run, all, f);
    const c = componentRecovery(run, ctx.rows, f, h, what);
    return c
      ? [
          {
            faultId: f.faultId,
            fault: f.fault,
            ms: c.ms,
            atLeastMs: h - f.startMs,
            detectionMs: c.detectedMs ?? null,
            resolutionMs: c.resolutionMs ?? null,
            ...(c.notBeforeMs !== undefined ? { notBeforeMs: c.notBeforeMs } : {}),
            ...(c.blindBefore ? { blindBefore: true } : {}),
          },
        ]
      : [];
  });
  if (per.length === 0) return unknown(`${what} does not apply to these faults`);
  const res = per.map((p) => p.resolutionMs).filter((x): x is number => typeof x === 'number');
  const seen = per
    .filter((p) => typeof p.detectionMs === 'number')
    .map((p) => `${p.faultId} seen at ${round((p.detectionMs as number) / 1000, 1)} s`);
  const how =
    res.length > 0
      ? `; probe every ~${round(Math.max(...res) / 1000, 1)} s, the resolution of these times`
      : '';
  return worstOf(per, row, `${what}${seen.length > 0 ? ` (${seen.join(', ')})` : ''}${how}`);
};
