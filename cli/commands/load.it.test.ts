import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../test/run-cli.ts';

const { edgeUrl } = inject('stack');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('windshear load against the real stack', () => {
  it('prints a progress line per second while the engine runs and a final table per endpoint', {
    timeout: 90_000,
  }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'ws-it-load-'));
    dirs.push(out);
    // baseline is 1,000 req/s; scale 0.01 makes it 10 req/s for 8 s.
    const r = await runCli([
      'load',
      ...['--profile', 'baseline', '--duration', '8s', '--scale', '0.01'],
      ...['--target', edgeUrl, '--out', out],
    ]);
    expect(r.code, r.stderr).toBe(0);
    const progress = r.stderr.split('\n').filter((l) => /^t=\d+s rate \d+\/\d+ req\/s {2}p95 /.test(l));
    expect(progress.length, r.stderr).toBeGreaterThanOrEqual(6);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^endpoint\s+requests\s+req\/s\s+errors\s+p50 ms\s+p95 ms\s+p99 ms\s+max ms$/);
    const end = lines.findIndex((l) => l.startsWith('intended '));
    expect(end, r.stdout).toBeGreaterThan(1);
    const rows = lines.slice(1, end).map((l) => l.trim().split(/\s+/));
    const all = rows.find((c) => c[0] === 'all');
    expect(all, r.stdout).toBeDefined();
    // 10 iterations/s for 8 s (a flow may make more than one request); each request has one endpoint.
    expect(Number(all![1])).toBeGreaterThanOrEqual(75);
    const perEndpoint = rows.filter((c) => c[0] !== 'all').reduce((n, c) => n + Number(c[1]), 0);
    expect(perEndpoint).toBe(Number(all![1]));
    expect(rows.some((c) => c[0] === 'search')).toBe(true);
    expect(r.stdout).toContain('load generator kept the schedule');
    expect(r.stdout).toContain(join(out, 'requests.jsonl.gz'));
  });
});
