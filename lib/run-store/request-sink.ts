import { rm } from 'node:fs/promises';
import { GzipSink } from '../../loadgen/k6-points.ts';
import { runFilePath } from './run-files.ts';

/** requests.jsonl.gz of a run directory, written as the engine's records arrive. */
export interface RequestSink {
  readonly path: string;
  /** Formatted record lines (loadgen/request-record.ts `formatRecord`), one or many at a time. */
  write(line: string): void;
  /** Resolves when the file is complete on disk. */
  end(): Promise<void>;
}

/** Replaces the run's requests.jsonl.gz with an empty one and returns its writer. */
export async function openRequestSink(dir: string): Promise<RequestSink> {
  const path = runFilePath(dir, 'requests');
  await rm(path, { force: true });
  const gz = new GzipSink(path);
  return { path, write: (line) => gz.write(Buffer.from(line)), end: () => gz.end() };
}
