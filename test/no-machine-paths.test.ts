import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/paths.ts';

/** A quoted absolute path of one machine: a fresh machine (and CI elsewhere) does not have it. */
const MACHINE_PATH = /["'`](\/tmp\/|\/root\/)[A-Za-z]/;

describe('tracked source names no path of one machine', () => {
  it('has no /tmp/… or /root/… literal outside tests, fixtures and docs (resolve through lib/paths.ts)', () => {
    const files = execFileSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((f) => /\.(ts|mts|mjs|js|go|sh)$/.test(f) || f.startsWith('.ci/'))
      .filter((f) => !/(\.test\.ts|_test\.go|\.md)$/.test(f) && !/(^|\/)fixtures\//.test(f));
    expect(files.length).toBeGreaterThan(50);
    const hits = files.flatMap((f) =>
      readFileSync(join(REPO_ROOT, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (MACHINE_PATH.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(hits).toEqual([]);
  });

  it('the pattern catches what it is for', () => {
    expect(MACHINE_PATH.test("'/tmp/warm/bin/k6'")).toBe(true);
    expect(MACHINE_PATH.test('`/root/cache/x`')).toBe(true);
    expect(MACHINE_PATH.test("join(tmpdir(), 'x')")).toBe(false);
  });
});
