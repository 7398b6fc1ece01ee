import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LatencyWindow } from '../lib/run-format.ts';
import { type FakeEdge, startFakeEdge } from './fake-edge.ts';
import { resolveK6Bin } from './k6-bin.ts';
import { k6OptionsFor } from './profiles.ts';
import { judgeValidity, type K6Progress, runK6 } from './run-k6.ts';

const script = fileURLToPath(new URL('./k6/traffic.ts', import.meta.url));
const k6 = (() => {
  try {
    return resolveK6Bin();
  } catch {
    return null;
  }
})();

describe('judgeValidity', () => {
  const ok = { aborted: false, exitCode: 0, intended: 100, achieved: 100, droppedIterations: 0 };
  it('is valid only when the schedule was kept', () => {
    expect(judgeValidity(ok)).toEqual({ valid: true });
    expect(judgeValidity({ ...ok, exitCode: 99 }).valid).toBe(true);
    expect(judgeValidity({ ...ok, droppedIterations: 1 })).toMatchObject({
      valid: false,
      reason: /dropped 1/,
    });
    expect(judgeValidity({ ...ok, achieved: 94 })).toMatchObject({
      valid: false,
      reason: /achieved 94 of 100/,
    });
    expect(judgeValidity({ ...ok, achieved: 95 }).valid).toBe(true);
    expect(judgeValidity({ ...ok, aborted: true }).valid).toBe(false);
    expect(judgeValidity({ ...ok, exitCode: 107 }).reason).toMatch(/code 107/);
  });
});

describe.skipIf(k6 === null)('runK6 with the real k6', () => {
  let edge: FakeEdge;
  beforeAll(async () => {
    edge = await startFakeEdge();
  });
  afterAll(async () => {
    await edge.close();
  });

  it('folds points live, keeps them gzipped, and agrees with k6', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'ws-runk6-'));
    const seconds: K6Progress[] = [];
    const windows: LatencyWindow[] = [];
    // 50 req/s split 40/8/2/1 (each flow keeps >= 1/s): 51 req/s.
    const r = await runK6({
      script,
      options: k6OptionsFor({ preset: 'peak', durationSec: 2 }, 0.01),
      env: { WS_BASE_URL: edge.url },
      outDir,
      onSecond: (p) => seconds.push(p),
      onWindow: (w) => windows.push(w),
    });
    expect(r.exitCode).toBe(0);
    expect(r.valid).toBe(true);
    expect(r.intended).toBe(102);
    expect(r.achieved).toBe(r.k6?.httpReqs);
    for (const [e, c] of Object.entries(r.k6?.byEndpoint ?? {}))
      expect(r.tags.find((t) => t.tag === e)?.count ?? 0, e).toBe(c.count);
    expect(seconds.length).toBeGreaterThanOrEqual(2);
    expect(seconds[0]?.intendedRate).toBe(51);
    const metrics = (await readFile(r.files.metrics, 'utf8')).trim().split('\n');
    expect(metrics.map((l) => JSON.parse(l) as LatencyWindow)).toEqual(windows);
    const raw = gunzipSync(await readFile(r.files.points)).toString('utf8');
    expect(
      raw.split('\n').filter((l) => l.includes('"metric":"http_req_duration","type":"Point"')),
    ).toHaveLength(r.achieved);
  });

  it('kills k6 on abort and marks the run invalid', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'ws-runk6-'));
    const ac = new AbortController();
    let pid = 0;
    setTimeout(() => ac.abort(), 1500);
    const t0 = Date.now();
    const r = await runK6({
      script,
      options: k6OptionsFor({ preset: 'baseline', durationSec: 60 }, 0.01),
      env: { WS_BASE_URL: edge.url },
      outDir,
      signal: ac.signal,
      onStart: (p) => {
        pid = p;
      },
    });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.aborted).toBe(true);
    expect(r.valid).toBe(false);
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
