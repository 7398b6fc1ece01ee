import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { HistoryEvent } from '../../lib/run-format.ts';
import { ALL_TAG, isError, UNTAGGED } from '../../loadgen/fold-points.ts';
import { parsePointLine } from '../../loadgen/k6-points.ts';

/** One HTTP request as k6 recorded it, on the run's clock (ms since the run started). */
export interface RequestSample {
  tag: string;
  /** When the request was issued (completion minus duration), run ms. */
  issuedMs: number;
  durationMs: number;
  error: boolean;
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
 * Every request in k6-points.jsonl.gz (http_req_duration points), ordered by issue time; null
 * when the file is missing, too big, or the run start is unknown.
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
    const p = parsePointLine(line);
    if (p?.metric !== 'http_req_duration') continue;
    out.push({
      tag: p.tags.endpoint ?? UNTAGGED,
      issuedMs: p.epochMs - p.value - epochStart,
      durationMs: p.value,
      error: isError(p.tags),
    });
  }
  return out.sort((a, b) => a.issuedMs - b.issuedMs);
}

/**
 * Where, inside the last bad second before a recovery, the SLI was met again: the issue time of
 * the first request after which every request of that second (for `tag`; ALL_TAG for all) was good
 * on its own (no error, and not slower than `maxMs` when given). The end of the second when its
 * last request was bad or it had none. This gives RTOs the resolution of the requests, not of the
 * one-second windows (which overstate a recovery by up to a second).
 */
export function recoveredWithin(
  samples: readonly RequestSample[],
  tag: string,
  secStartMs: number,
  maxMs: number | null,
): number {
  const end = secStartMs + 1000;
  // First sample issued at or after `end` (samples are ordered by issue time).
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (samples[mid]!.issuedMs < end) lo = mid + 1;
    else hi = mid;
  }
  let recovered = end;
  for (let i = lo - 1; i >= 0; i--) {
    const s = samples[i]!;
    if (s.issuedMs < secStartMs) break;
    if (tag !== ALL_TAG && s.tag !== tag) continue;
    if (s.error || (maxMs !== null && s.durationMs > maxMs)) break;
    recovered = s.issuedMs;
  }
  return recovered;
}
