import { type Checker, unknown } from './checker.ts';
import { componentRecovery, horizonMs } from './fault-recovery.ts';
import { faultsFor, type PerFault, worstOf } from './rto.ts';
import { faultSpans } from './run-windows.ts';

/** `component-recovery`: per fault of params.faultKind, the params.what component time; worst fault. */
export const componentRecoveryChecker: Checker = (run, row, ctx) => {
  const what = row.params?.what;
  if (!what) return unknown(`${row.id} has no params.what`);
  if (run.history === null) return unknown('history.jsonl is missing: no probe samples');
  const all = faultSpans(run);
  const faults = faultsFor(run, row.params?.faultKind);
  if (faults.length === 0)
    return unknown(
      `no fault${row.params?.faultKind ? ` of kind ${row.params.faultKind}` : ''} happened in this run`,
    );
  const per: PerFault[] = faults.flatMap((f) => {
    const h = horizonMs(run, all, f);
    const c = componentRecovery(run, ctx.rows, f, h, what);
    return c ? [{ faultId: f.faultId, fault: f.fault, ms: c.ms, atLeastMs: h - f.startMs }] : [];
  });
  if (per.length === 0) return unknown(`${what} does not apply to these faults or was not sampled`);
  return worstOf(per, row, what);
};
