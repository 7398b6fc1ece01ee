import { describe, expect, it } from 'vitest';
import { faultSpans, phaseSpans, rangeSeconds, secondIn, windowRanges } from './run-windows.ts';
import { faultStart, faultStop, phases, plan, runData } from './test-run.ts';

const history = phases(
  [
    ['setup', 0],
    ['baseline', 10],
    ['fault', 30],
    ['recovery', 40],
    ['after', 50],
    ['drain', 60],
  ],
  70,
);

describe('run windows', () => {
  it('reads phases from history, each lasting until the next', () => {
    const spans = phaseSpans(runData({ history }));
    expect(spans.map((s) => [s.phase, s.startMs, s.endMs])).toEqual([
      ['setup', 0, 10_000],
      ['baseline', 10_000, 30_000],
      ['fault', 30_000, 40_000],
      ['recovery', 40_000, 50_000],
      ['after', 50_000, 60_000],
      ['drain', 60_000, 70_000],
    ]);
  });

  it('steady is baseline and after; run spans the load phases', () => {
    const run = runData({ history });
    expect(windowRanges(run, 'steady')).toEqual([
      { startMs: 10_000, endMs: 30_000 },
      { startMs: 50_000, endMs: 60_000 },
    ]);
    expect(windowRanges(run, 'run')).toEqual([{ startMs: 10_000, endMs: 60_000 }]);
    expect(rangeSeconds(windowRanges(run, 'fault'))).toHaveLength(10);
  });

  it('takes the seconds lying wholly inside a range, not those a range boundary cuts', () => {
    // latency-injection in a catalogue run: the fault phase began at 20.001 s, so second 20's
    // requests were all sent under the fault; they are neither steady (baseline) nor fault.
    const baseline = [{ startMs: 13, endMs: 20_001 }];
    const fault = [{ startMs: 20_001, endMs: 50_000 }];
    expect(secondIn(19, baseline)).toBe(true);
    expect(secondIn(20, baseline)).toBe(false);
    expect(secondIn(20, fault)).toBe(false);
    expect(secondIn(21, fault)).toBe(true);
    expect(secondIn(0, baseline)).toBe(false);
    expect(rangeSeconds(baseline)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    expect(rangeSeconds([{ startMs: 20_000, endMs: 30_000 }])).toHaveLength(10);
  });

  it('leaves the warm-up out of steady but not out of run', () => {
    const run = runData({
      history: phases(
        [
          ['warmup', 0],
          ['baseline', 30],
          ['drain', 150],
        ],
        155,
      ),
    });
    expect(windowRanges(run, 'steady')).toEqual([{ startMs: 30_000, endMs: 150_000 }]);
    expect(windowRanges(run, 'run')).toEqual([{ startMs: 0, endMs: 150_000 }]);
  });

  it('falls back to plan.phases when the history has none', () => {
    const run = runData({
      history: [],
      plan: plan({
        durationSec: 40,
        phases: [
          { phase: 'baseline', atSec: 0 },
          { phase: 'fault', atSec: 20 },
        ],
      }),
    });
    expect(windowRanges(run, 'fault')).toEqual([{ startMs: 20_000, endMs: 40_000 }]);
  });

  it('is empty for a phase the run never reached', () => {
    expect(windowRanges(runData({ history: phases([['baseline', 0]], 10) }), 'recovery')).toEqual([]);
  });

  it('pairs fault start and stop; without history uses the plan', () => {
    const run = runData({
      history: [faultStart(1000, 'f1', 'kill'), faultStop(5000, 'f1'), faultStart(9000, 'f2', 'pause')],
    });
    expect(faultSpans(run).map((f) => [f.faultId, f.startMs, f.stopMs])).toEqual([
      ['f1', 1000, 5000],
      ['f2', 9000, null],
    ]);
    const planned = runData({
      history: null,
      plan: plan({ faults: [{ id: 'p', fault: 'kill', selector: 's', atSec: 3, forSec: 2 }] }),
    });
    expect(faultSpans(planned)[0]).toMatchObject({ startMs: 3000, stopMs: 5000 });
  });
});
