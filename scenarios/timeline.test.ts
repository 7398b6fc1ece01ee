import { describe, expect, it } from 'vitest';
import { buildTimeline } from './timeline.ts';

const f = (index: number, id: string, atSec: number, forSec: number) => ({ index, id, atSec, forSec });

describe('buildTimeline', () => {
  it('is all baseline without faults', () => {
    expect(buildTimeline({ durationSec: 60, recoverySec: 30, faults: [] })).toEqual({
      phases: [
        { phase: 'baseline', atSec: 0 },
        { phase: 'drain', atSec: 60 },
      ],
      groups: [],
      issues: [],
    });
  });

  it('starts with an unjudged warm-up when asked, and wants the baseline after it', () => {
    expect(buildTimeline({ durationSec: 150, recoverySec: 0, warmupSec: 30, faults: [] }).phases).toEqual([
      { phase: 'warmup', atSec: 0 },
      { phase: 'baseline', atSec: 30 },
      { phase: 'drain', atSec: 150 },
    ]);
    const early = buildTimeline({
      durationSec: 150,
      recoverySec: 10,
      warmupSec: 30,
      faults: [f(0, 'k', 35, 5)],
    });
    expect(early.issues.map((i) => [i.code, i.fix])).toEqual([
      ['baseline-too-short', 'start the first fault at 40s or later so the baseline has data to recover to'],
    ]);
  });

  it('puts baseline, fault, recovery and after around one fault', () => {
    const t = buildTimeline({ durationSec: 75, recoverySec: 25, faults: [f(0, 'k', 20, 25)] });
    expect(t.phases).toEqual([
      { phase: 'baseline', atSec: 0 },
      { phase: 'fault', atSec: 20 },
      { phase: 'recovery', atSec: 45 },
      { phase: 'after', atSec: 70 },
      { phase: 'drain', atSec: 75 },
    ]);
    expect(t.issues).toEqual([]);
  });

  it('merges overlapping faults into one fault phase and sequences separate ones', () => {
    const t = buildTimeline({
      durationSec: 200,
      recoverySec: 20,
      faults: [f(0, 'a', 20, 30), f(1, 'b', 40, 20), f(2, 'c', 100, 10)],
    });
    expect(t.groups).toEqual([
      { faultIds: ['a', 'b'], startSec: 20, endSec: 60 },
      { faultIds: ['c'], startSec: 100, endSec: 110 },
    ]);
    expect(t.phases.map((p) => `${p.phase}@${p.atSec}`)).toEqual([
      'baseline@0',
      'fault@20',
      'recovery@60',
      'after@80',
      'fault@100',
      'recovery@110',
      'after@130',
      'drain@200',
    ]);
  });

  it('drops zero-length phases', () => {
    const t = buildTimeline({ durationSec: 70, recoverySec: 25, faults: [f(0, 'k', 20, 25)] });
    expect(t.phases.map((p) => p.phase)).toEqual(['baseline', 'fault', 'recovery', 'drain']);
  });

  it('reports every timeline problem with the fault and field at fault', () => {
    const t = buildTimeline({
      durationSec: 60,
      recoverySec: 30,
      faults: [f(0, 'early', 5, 10), f(1, 'overlap', 20, 5), f(2, 'late', 50, 20)],
    });
    expect(t.issues.map((i) => `${i.code} ${i.index}.${i.field}`)).toEqual([
      'baseline-too-short 0.at',
      'phase-overlap 1.at',
      'fault-past-end 2.for',
      'phase-overlap 2.at',
    ]);
  });
});

describe('buildTimeline recovery', () => {
  it('reports a recovery phase that runs past the end of the load', () => {
    const t = buildTimeline({ durationSec: 60, recoverySec: 30, faults: [f(0, 'k', 20, 20)] });
    expect(t.issues.map((i) => `${i.code} ${i.index}.${i.field}`)).toEqual(['recovery-past-end 0.for']);
    expect(t.issues[0]?.fix).toMatch(/at least 70/);
  });
});
