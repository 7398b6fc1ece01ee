import { type Checker, msIn, nearestRank, round, samplesOf, unknown } from './checker.ts';
import { lagObjectiveSec } from './fault-recovery.ts';
import { describeWindow, faultSpans, inRanges, runEndMs, windowRanges } from './run-windows.ts';
import { unsampledUnknown } from './unsampled-ranges.ts';

/**
 * `consumer-lag` of params.group (sum of offsets, worst topic's seconds per sample), over the
 * row's window, by params.stat:
 * - `p95-sec`: nearest-rank p95 of lag seconds; `peak-sec` / `peak-offsets`: the maximum;
 * - `drain-sec`: per fault, fault stop to the first sample at or under the group's lag
 *   objective (lagObjectiveSec), worst fault; the window is not used.
 */
export const consumerLag: Checker = (run, row, ctx) => {
  const group = row.params?.group;
  const stat = row.params?.stat ?? 'p95-sec';
  if (!group) return unknown(`${row.id} has no params.group`);
  const all = samplesOf(run, 'consumer-lag');
  if (all === null) return unknown('history.jsonl is missing: no consumer-lag samples');
  const series = all.flatMap((s) => {
    const g = s.data.groups.filter((x) => x.group === group);
    return g.length === 0
      ? []
      : [
          {
            t: s.t,
            sec: Math.max(...g.map((x) => x.lagSec)),
            offsets: g.reduce((n, x) => n + x.lagOffsets, 0),
          },
        ];
  });
  if (series.length === 0) return unknown(`no consumer-lag samples for group ${group}`);

  if (stat === 'drain-sec') {
    const faults = faultSpans(run);
    if (faults.length === 0) return unknown('no fault happened: nothing to drain after');
    const limit = lagObjectiveSec(ctx.rows, group);
    const end = runEndMs(run) + 1;
    const per = faults.map((f) => {
      const from = f.stopMs;
      if (from === null) return { faultId: f.faultId, fromMs: null, drainMs: null };
      const until = faults.find((g) => g.startMs > f.startMs)?.startMs ?? end;
      const back = series.find((s) => s.t >= from && s.t < until && s.sec <= limit.sec);
      return { faultId: f.faultId, fromMs: from, drainMs: back ? back.t - from : null };
    });
    const open = per.filter((p) => p.drainMs === null);
    if (open.length > 0)
      return unknown(
        `lag of ${group} never fell to ${limit.sec} s after the stop of ${open.map((p) => p.faultId).join(', ')}`,
        { faults: per },
      );
    const worst = Math.max(...per.map((p) => p.drainMs ?? 0));
    return {
      measured: round(msIn(worst, row.unit)),
      detail: `worst drain of ${group} to lag <= ${limit.sec} s (${limit.from}) after fault stop: ${round(worst / 1000, 1)} s over ${per.length} fault(s)`,
      evidence: { faults: per, lagObjectiveSec: limit.sec },
    };
  }

  const ranges = windowRanges(run, row.window);
  if (ranges.length === 0) return unknown(`the run never reached window ${row.window}`);
  const inWindow = series.filter((s) => inRanges(s.t, ranges));
  if (inWindow.length === 0)
    return unknown(`no lag samples of ${group} in ${describeWindow(row.window, ranges)}`);
  const silent = unsampledUnknown(
    `lag samples of ${group}`,
    series.map((s) => s.t),
    ranges,
    row.window,
  );
  if (silent) return silent;
  const where = `${inWindow.length} samples of ${group}, ${describeWindow(row.window, ranges)}`;
  const secs = inWindow.map((s) => s.sec);
  const evidence = {
    samples: inWindow.length,
    peakSec: Math.max(...secs),
    p95Sec: nearestRank(secs, 95),
    peakOffsets: Math.max(...inWindow.map((s) => s.offsets)),
  };
  switch (stat) {
    case 'p95-sec':
      return {
        measured: round(msIn((evidence.p95Sec ?? 0) * 1000, row.unit)),
        detail: `p95 lag, ${where}`,
        evidence,
      };
    case 'peak-sec':
      return {
        measured: round(msIn(evidence.peakSec * 1000, row.unit)),
        detail: `peak lag, ${where}`,
        evidence,
      };
    case 'peak-offsets':
      return { measured: evidence.peakOffsets, detail: `peak offset lag, ${where}`, evidence };
    default:
      return unknown(`unknown params.stat "${stat}" (p95-sec, peak-sec, peak-offsets, drain-sec)`);
  }
};
