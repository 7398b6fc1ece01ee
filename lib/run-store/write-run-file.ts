import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_FILES } from './run-files.ts';
import type { JsonFileName, JsonlFileName, RunFileTypes } from './run-schemas.ts';

/** JSON files the store writes: the schema-checked ones, and the engines' inputs (any JSON). */
export type WritableJson = { [F in JsonFileName]: RunFileTypes[F] } & {
  'load-plan.json': unknown;
  'k6-config.json': unknown;
};

/** Creates the run directory (and its parents); with `logs`, its logs/ folder too. */
export async function createRunDir(dir: string, opts: { logs?: boolean } = {}): Promise<void> {
  await mkdir(opts.logs ? join(dir, RUN_FILES.logs) : dir, { recursive: true });
}

/** Writes one JSON file of a run directory, pretty-printed, ending in a newline. */
export async function writeRunJson<F extends keyof WritableJson>(
  dir: string,
  file: F,
  value: WritableJson[F],
): Promise<string> {
  const path = join(dir, file);
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}

/** The renderers' output: junit.xml, summary.md and report.html, written in that order; returns their paths. */
export async function writeReportFiles(
  dir: string,
  out: { junit: string; summary: string; report: string },
): Promise<string[]> {
  const files: string[] = [];
  for (const role of ['junit', 'summary', 'report'] as const) {
    const file = join(dir, RUN_FILES[role]);
    await writeFile(file, out[role]);
    files.push(file);
  }
  return files;
}

/** Copies the `*.log` files of `fromDir` (component logs) into the run's logs/; never throws for one file. */
export async function storeLogs(dir: string, fromDir: string): Promise<void> {
  const to = join(dir, RUN_FILES.logs);
  await mkdir(to, { recursive: true });
  const names = await readdir(fromDir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((n) => n.endsWith('.log'))
      .map((n) => copyFile(join(fromDir, n), join(to, n)).catch(() => undefined)),
  );
}

/** Writes a whole JSONL file of a run directory at once (one value a line); for recorded fixtures. */
export async function writeRunJsonl<F extends JsonlFileName>(
  dir: string,
  file: F,
  rows: readonly RunFileTypes[F][],
): Promise<string> {
  const path = join(dir, file);
  await writeFile(path, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return path;
}
