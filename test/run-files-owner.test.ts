import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/paths.ts';
import { RUN_FILES } from '../lib/run-store/run-files.ts';

/**
 * lib/run-store is the only reader and writer of a run directory's files (architecture.md, style
 * 6): elsewhere a file is named through RUN_FILES, never by a string literal. A literal that is
 * the file name (or a path ending in it) is what a second reader or writer looks like; a message
 * that mentions a file ("metrics.jsonl is missing") is not.
 */
const NAMES = Object.values(RUN_FILES).filter((n) => n !== RUN_FILES.logs);
const ENGINE_SCRATCH = ['requests.jsonl', 'k6-points.jsonl'];
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const BY_NAME = new RegExp(
  `(['"\`])(?:[^'"\`\\s]*/)?(?:${[...NAMES, ...ENGINE_SCRATCH].map(escapeRe).join('|')})\\1`,
);

/** Doc comments may name files: `history.jsonl` in a comment reads and writes nothing. */
const COMMENT = /^\s*(\*|\/\/|\/\*)/;

/** Not the store, but allowed to name run files, and why. */
const EXEMPT: Record<string, string> = {
  // Owned by another change in flight; its REQUEST_FILES is unused (the store has its own). Remove it there.
  'reports/checks/request-samples.ts': 'REQUEST_FILES constant, unused',
};

describe('run-directory files are read and written only by lib/run-store', () => {
  it('no module outside lib/run-store names a run file by a string literal', () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((f) => /\.(ts|mts|mjs|js)$/.test(f))
      .filter((f) => !f.startsWith('lib/run-store/') && !/\.test\.ts$/.test(f) && !(f in EXEMPT))
      .filter((f) => !f.startsWith('node_modules/') && !f.startsWith('reports/runs/'));
    expect(files.length).toBeGreaterThan(50);
    const hits = files.flatMap((f) =>
      readFileSync(join(REPO_ROOT, f), 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          BY_NAME.test(line) && !COMMENT.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [],
        ),
    );
    expect(hits).toEqual([]);
  });

  it('the pattern catches what it is for', () => {
    expect(BY_NAME.test("join(runDir, 'metrics.jsonl')")).toBe(true);
    expect(BY_NAME.test('read("plan.json")')).toBe(true);
    expect(BY_NAME.test('`dir/history.jsonl`')).toBe(true);
    expect(BY_NAME.test("['requests.jsonl.gz', 'k6-points.jsonl.gz']")).toBe(true);
    expect(BY_NAME.test("unknown('metrics.jsonl is missing: no SLI')")).toBe(false);
    expect(BY_NAME.test("join(tmp, 'chaos-history.jsonl')")).toBe(false);
  });
});
