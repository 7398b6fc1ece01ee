import { type Checker, ratioIn, round, samplesOf, unknown } from './checker.ts';
import { counterDelta } from './counter-delta.ts';
import { windowsIn } from './metric-windows.ts';
import { describeWindow, windowRanges } from './run-windows.ts';
import { unsampledUnknown } from './unsampled-ranges.ts';

/**
 * `degraded-not-failed`: degraded / (degraded + failed) search responses over the window (default
 * `fault`), in `%`. Degraded = increase of the services' `degradedResponses` counter
 * (service-metrics samples, counterDelta); failed = errors of params.tag (default `search`) in
 * metrics. 100 % when neither happened.
 */
export const degradedNotFailed: Checker = (run, row) => {
  const tag = row.params?.tag ?? 'search';
  const samples = samplesOf(run, 'service-metrics');
  if (samples === null) return unknown('history.jsonl is missing: no service-metrics samples');
  if (run.metrics === null) return unknown('metrics.jsonl is missing: no request errors');
  const ranges = windowRanges(run, row.window);
  if (ranges.length === 0) return unknown(`the run never reached window ${row.window}`);
  const where = `tag ${tag}, ${describeWindow(row.window, ranges)}`;
  const degraded = counterDelta(
    samples.map((s) => ({ t: s.t, value: s.data.degradedResponses })),
    ranges,
  );
  if (degraded === null) return unknown(`fewer than two service-metrics samples around ${where}`);
  const silent = unsampledUnknown(
    'service-metrics samples',
    samples.map((s) => s.t),
    ranges,
    row.window,
  );
  if (silent) return silent;
  const ws = windowsIn(run.metrics, tag, ranges);
  if (ws.length === 0) return unknown(`no requests recorded for ${where}`);
  const failed = ws.reduce((n, w) => n + w.errors, 0);
  const share = degraded + failed === 0 ? 1 : degraded / (degraded + failed);
  return {
    measured: round(ratioIn(share, row.unit), 4),
    detail: `${degraded} degraded vs ${failed} failed responses, ${where}`,
    evidence: { degraded, failed },
  };
};
