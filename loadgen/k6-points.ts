import { createWriteStream, type WriteStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { createGzip, type Gzip } from 'node:zlib';

/**
 * Reading k6's `--out json=<file>` stream: one JSON object per line, either a metric definition
 * (`{"type":"Metric",...}`) or a sample (`{"metric":"http_req_duration","type":"Point","data":
 * {"time":"<RFC 3339, ns>","value":<ms for trends>,"tags":{...}}}`).
 */

/** Metrics the folder reads; every other line is skipped before JSON.parse (the stream is big). */
export const FOLDED_METRICS = ['http_req_duration', 'dropped_iterations', 'ws_schedule_start'] as const;
export type FoldedMetric = (typeof FOLDED_METRICS)[number];

export interface K6Point {
  metric: FoldedMetric;
  /** Sample time, epoch milliseconds (sub-ms precision dropped). */
  epochMs: number;
  /** Value in the metric's unit: ms for http_req_duration, a count for dropped_iterations. */
  value: number;
  tags: Record<string, string>;
}

const FOLDED = new Set<string>(FOLDED_METRICS);
const METRIC_FIRST = '{"metric":"';
const DEFINITION = '{"type":"Metric"';

/** Parses one NDJSON line; null for lines of metrics the folder does not need. */
export function parsePointLine(line: string): K6Point | null {
  // Most lines are points of other metrics (13 per request): reject them by the name k6 writes
  // first, before any scan or JSON.parse of the line; a share of a core matters at 50k lines/s.
  let metric: FoldedMetric | null = null;
  if (line.startsWith(METRIC_FIRST)) {
    const end = line.indexOf('"', METRIC_FIRST.length);
    const name = line.slice(METRIC_FIRST.length, end);
    if (!FOLDED.has(name) || !line.startsWith('"type":"Point"', end + 2)) return null;
    metric = name as FoldedMetric;
  } else {
    if (line.startsWith(DEFINITION)) return null;
    // Tolerate another key order (not what k6 v2 writes).
    if (!line.includes('"type":"Point"')) return null;
    const m = FOLDED_METRICS.find((x) => line.includes(`"metric":"${x}"`));
    if (!m) return null;
    metric = m;
  }
  const parsed = JSON.parse(line) as {
    data?: { time?: unknown; value?: unknown; tags?: Record<string, string> | null };
  };
  const data = parsed.data;
  if (!data || typeof data.time !== 'string' || typeof data.value !== 'number') return null;
  return { metric, epochMs: pointEpochMs(data.time), value: data.value, tags: data.tags ?? {} };
}

const secondCache = new Map<string, number>();

/**
 * Epoch ms of an RFC 3339 timestamp with any number of fraction digits and a `Z` or `±hh:mm`
 * zone, as Go writes it. Whole seconds are cached: points of one second share the prefix.
 */
export function pointEpochMs(time: string): number {
  // `YYYY-MM-DDTHH:MM:SS` is 19 chars; a fraction follows when time[19] === '.'.
  let i = 19;
  let frac = 0;
  if (time.charCodeAt(19) === 46) {
    i = 20;
    let scale = 100;
    while (i < time.length) {
      const c = time.charCodeAt(i);
      if (c < 48 || c > 57) break;
      if (scale >= 1) frac += (c - 48) * scale;
      scale /= 10;
      i++;
    }
    frac = Math.floor(frac);
  }
  const key = time.slice(0, 19) + time.slice(i);
  let base = secondCache.get(key);
  if (base === undefined) {
    base = Date.parse(key);
    if (Number.isNaN(base)) throw new Error(`unreadable k6 point time "${time}"`);
    if (secondCache.size > 10_000) secondCache.clear();
    secondCache.set(key, base);
  }
  return base + frac;
}

/**
 * Incrementally reads a file that another process is appending to, yielding complete lines.
 * Every byte read is also passed to `copy` (e.g. a gzip sink), so the file is read once.
 */
export class FileTailer {
  private handle: FileHandle | null = null;
  private position = 0;
  private rest = '';
  private readonly buf = Buffer.allocUnsafe(1 << 20);

  constructor(
    private readonly path: string,
    private readonly copy?: (chunk: Buffer) => void,
  ) {}

  /** Bytes consumed so far. */
  get bytes(): number {
    return this.position;
  }

  /** Complete lines appended since the last call; [] when the file does not exist yet. */
  async read(): Promise<string[]> {
    if (this.handle === null) {
      try {
        this.handle = await open(this.path, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    }
    const lines: string[] = [];
    for (;;) {
      const { bytesRead } = await this.handle.read(this.buf, 0, this.buf.length, this.position);
      if (bytesRead === 0) break;
      this.position += bytesRead;
      const chunk = this.buf.subarray(0, bytesRead);
      this.copy?.(Buffer.from(chunk));
      // Split on the last newline; a multi-byte character cut at the chunk end stays in `rest`.
      const lastNl = chunk.lastIndexOf(10);
      if (lastNl === -1) {
        this.rest += chunk.toString('utf8');
        continue;
      }
      const text = this.rest + chunk.subarray(0, lastNl).toString('utf8');
      this.rest = chunk.subarray(lastNl + 1).toString('utf8');
      for (const l of text.split('\n')) if (l.length > 0) lines.push(l);
      if (bytesRead < this.buf.length) break;
    }
    return lines;
  }

  /** Reads to EOF and returns the remaining lines, including an unterminated last one. */
  async finish(): Promise<string[]> {
    const lines = await this.read();
    if (this.rest.length > 0) lines.push(this.rest);
    this.rest = '';
    await this.handle?.close();
    this.handle = null;
    return lines;
  }
}

/** A gzip file sink; `end()` resolves when the file is complete on disk. */
export class GzipSink {
  private readonly gzip: Gzip;
  private readonly out: WriteStream;
  private readonly done: Promise<void>;

  constructor(path: string) {
    this.gzip = createGzip({ level: 6 });
    this.out = createWriteStream(path);
    this.done = new Promise((resolve, reject) => {
      this.out.on('finish', () => resolve());
      this.out.on('error', reject);
      this.gzip.on('error', reject);
    });
    this.gzip.pipe(this.out);
  }

  write(chunk: Buffer): void {
    this.gzip.write(chunk);
  }

  end(): Promise<void> {
    this.gzip.end();
    return this.done;
  }
}
