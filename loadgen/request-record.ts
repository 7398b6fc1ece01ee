import type { K6Point } from './k6-points.ts';

/**
 * One request as any engine reports it: the contract between the engines and everything
 * downstream (folding, RTOs, validity, reports). One JSON object per line in
 * `requests.jsonl.gz`. Times are epoch µs; latency counts from the intended start.
 */
export interface RequestRecord {
  /** search | price | reserve | reservation-get | book (profiles.ts ENDPOINTS). */
  endpoint: string;
  /** When the schedule wanted the request sent (epoch µs): the open model's arrival time. */
  intended_us: number;
  /** Actual send time minus intended start (µs): how late the engine was. */
  lag_us: number;
  /** Send to last byte of the answer, or to the error (µs). */
  duration_us: number;
  /** HTTP status; 0 when there was none (timeout, reset, refused). */
  status: number;
  /** Transport error (status 0), e.g. a timeout. */
  error?: string;
}

/** Latency as the user saw it: from the intended start to the answer (µs). */
export function latencyUs(r: RequestRecord): number {
  return Math.max(0, r.lag_us) + r.duration_us;
}

/**
 * A request failed when it got no status, or a status the endpoint does not expect: >= 400,
 * except 404 on `reservation-get` (a reservation not projected yet is an answer, not an error).
 */
export function isErrorRecord(r: Pick<RequestRecord, 'endpoint' | 'status'>): boolean {
  if (!(r.status > 0)) return true;
  if (r.endpoint === 'reservation-get' && r.status === 404) return false;
  return r.status >= 400;
}

export function formatRecord(r: RequestRecord): string {
  return `${JSON.stringify(r)}\n`;
}

/** Parses one line of a records stream; null for a line that is not a record. */
export function parseRecordLine(line: string): RequestRecord | null {
  if (!line.startsWith('{"endpoint":')) return null;
  const r = JSON.parse(line) as Partial<RequestRecord>;
  if (
    typeof r.endpoint !== 'string' ||
    typeof r.intended_us !== 'number' ||
    typeof r.lag_us !== 'number' ||
    typeof r.duration_us !== 'number' ||
    typeof r.status !== 'number'
  )
    return null;
  return r as RequestRecord;
}

/**
 * A k6 `http_req_duration` point as a record. k6 reports no intended start: with arrival-rate
 * executors it sends on schedule while a VU is free (and drops the iteration otherwise), so the
 * send time (point time minus duration) stands for it and the lag is 0.
 */
export function recordFromK6Point(p: K6Point): RequestRecord {
  // k6/traffic.ts's responseCallback expects what isErrorRecord does (404 on reservation-get).
  const status = Number(p.tags.status ?? '0');
  const durationUs = Math.max(0, Math.round(p.value * 1000));
  const r: RequestRecord = {
    endpoint: p.tags.endpoint ?? 'untagged',
    intended_us: Math.round(p.epochMs * 1000) - durationUs,
    lag_us: 0,
    duration_us: durationUs,
    status: Number.isFinite(status) ? status : 0,
  };
  if (r.status === 0) r.error = p.tags.error_code ? `k6 error_code ${p.tags.error_code}` : 'no response';
  return r;
}
