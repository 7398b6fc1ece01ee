import { ENDPOINTS } from './profiles.ts';

/**
 * k6's own end-of-test summary, read from `--summary-export` (legacy format: `metrics.<name>`
 * with `count`/`rate` for counters, `p(95)` etc. in ms for trends, `passes` = non-zero samples
 * for rates). Per-endpoint numbers exist because profiles.ts adds `{endpoint:X}` thresholds.
 */
export interface K6Summary {
  httpReqs: number;
  iterations: number;
  droppedIterations: number;
  /** Requests k6 counted as failed (`http_req_failed` samples equal to 1). */
  failedRequests: number | null;
  p95Ms: number | null;
  byEndpoint: Record<string, { count: number; p95Ms: number | null }>;
}

type Metric = Record<string, unknown>;

function num(m: Metric | undefined, key: string): number | null {
  const v = m?.[key];
  return typeof v === 'number' ? v : null;
}

export function readK6Summary(json: unknown): K6Summary {
  const metrics =
    typeof json === 'object' && json !== null && 'metrics' in json
      ? ((json as { metrics: unknown }).metrics as Record<string, Metric>)
      : {};
  const byEndpoint: K6Summary['byEndpoint'] = {};
  for (const e of ENDPOINTS) {
    const d = metrics[`http_req_duration{endpoint:${e}}`];
    const r = metrics[`http_reqs{endpoint:${e}}`];
    if (!d && !r) continue;
    byEndpoint[e] = { count: num(r, 'count') ?? num(d, 'count') ?? 0, p95Ms: num(d, 'p(95)') };
  }
  return {
    httpReqs: num(metrics.http_reqs, 'count') ?? 0,
    iterations: num(metrics.iterations, 'count') ?? 0,
    droppedIterations: num(metrics.dropped_iterations, 'count') ?? 0,
    failedRequests: num(metrics.http_req_failed, 'passes'),
    p95Ms: num(metrics.http_req_duration, 'p(95)'),
    byEndpoint,
  };
}
