import { appendFileSync, createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonlFileName, RunFileTypes } from './run-schemas.ts';

/** Appends one value a line to a JSONL file of a run directory (created empty when opened). */
export interface JsonlSink<T> {
  readonly path: string;
  append(value: T): void;
  /** Resolves when every line is on disk; later appends are dropped. */
  close(): Promise<void>;
}

/**
 * Opens `file` in `dir`. `sync`: each line is on disk when `append` returns, so a crashed run
 * keeps all it recorded (history.jsonl); otherwise lines are buffered in a stream.
 */
export function openJsonl<F extends JsonlFileName>(
  dir: string,
  file: F,
  opts: { sync?: boolean } = {},
): JsonlSink<RunFileTypes[F]> {
  const path = join(dir, file);
  let closed = false;
  if (opts.sync) {
    writeFileSync(path, '');
    return {
      path,
      append: (v) => {
        if (!closed) appendFileSync(path, `${JSON.stringify(v)}\n`);
      },
      close: async () => {
        closed = true;
      },
    };
  }
  const stream = createWriteStream(path);
  return {
    path,
    append: (v) => {
      if (!closed) stream.write(`${JSON.stringify(v)}\n`);
    },
    close: () => {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((resolve) => stream.end(() => resolve()));
    },
  };
}
