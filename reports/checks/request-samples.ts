import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { HistoryEvent } from '../../lib/run-format.ts';
import { ALL_TAG } from '../../loadgen/fold-records.ts';
import { parsePointLine } from '../../loadgen/k6-points.ts';
import {
  isErrorRecord,
  latencyUs,
  parseRecordLine,
  type RequestRecord,
  recordFromK6Point,
} from '../../loadgen/request-record.ts';

/** One request on the run's clock (ms since the run started). */
export interface RequestSample {
  tag: string;
  /** When the request was due (its intended start), run ms. */
  issuedMs: number;
  /** From the intended start to the answer. */
  durationMs: number;
  error: boolean;
}

/** The run's request records: requests.jsonl.gz, or k6-points.jsonl.gz of runs recorded before it. */
export const REQUEST_FILES = ['requests.jsonl.gz', 'k6-points.jsonl.gz'] as const;

/** A line of either file as a record; null for other lines. */
export function recordOfLine(line: string): RequestRecord | null {
  if (line.startsWith('{"endpoint":')) return parseRecordLine(line);
  const p = parsePointLine(line);
  return p?.metric === 'http_req_duration' ? recordFromK6Point(p) : null;
}

/** Raw points larger than this (gzipped) are not read: RTOs keep one-second resolution. */
export const MAX_POINTS_BYTES = 64 * 2 ** 20;

/** Epoch ms of the run's t = 0, from any history event (wall time minus run time). */
export function runEpochStart(history: readonly HistoryEvent[] | null): number | null {
  const e = history?.[0];
  if (!e) return null;
  const wall = Date.parse(e.wall);
  return Number.isNaN(wall) ? null : wall - e.t;
}

/**
 * Every request in a records file (or a k6 points file), ordered by intended start; null when
 * the file is missing, too big, or the run start is unknown.
 */
export async function readRequestSamples(
  file: string,
  epochStart: number | null,
): Promise<RequestSample[] | null> {
  if (epochStart === null) return null;
  const size = await stat(file).then(
    (s) => s.size,
    () => null,
  );
  if (size === null || size > MAX_POINTS_BYTES) return null;
  const out: RequestSample[] = [];
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    const r = recordOfLine(line);
    if (!r) continue;
    out.push({
      tag: r.endpoint,
      issuedMs: r.intended_us / 1000 - epochStart,
      durationMs: latencyUs(r) / 1000,
      error: isErrorRecord(r),
    });
  }
  return out.sort((a, b) => a.issuedMs - b.issuedMs);
}

/**
 * When, around the last bad second before a recovery, the SLI was met again: the answer of the
 * first request (for `tag`; ALL_TAG for all) after which every request of that second was good;
 * when its last request was bad or it had none, the answer of the first request of the next
 * second (the second's end when there is none). This gives RTOs the resolution of the requests,
 * not of the one-second windows, and places the recovery when service came back: a request due
 * in the outage's last moments that waited and was answered within its bound right after it
 * marks the end of the outage by its answer, not by its intended start.
 */
export function recoveredAt(
  samples: readonly RequestSample[],
  tag: string,
  secStartMs: number,
  good: (s: RequestSample) => boolean,
): number {
  const end = secStartMs + 1000;
  const mine = (s: RequestSample) => tag === ALL_TAG || s.tag === tag;
  // First sample issued at or after `end` (samples are ordered by issue time).
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (samples[mid]!.issuedMs < end) lo = mid + 1;
    else hi = mid;
  }
  let first = lo;
  for (let i = lo - 1; i >= 0; i--) {
    const s = samples[i]!;
    if (s.issuedMs < secStartMs) break;
    if (!mine(s)) continue;
    if (!good(s)) break;
    first = i;
  }
  for (let i = first; i < samples.length; i++) {
    const s = samples[i]!;
    if (mine(s)) return s.issuedMs + s.durationMs;
  }
  return end;
}
