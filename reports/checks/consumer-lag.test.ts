import { describe, expect, it } from 'vitest';
import { faultStart, faultStop, judgeOne, phases, row, runData, sample } from './test-run.ts';

const lagAt = (s: number) => (s < 10 ? 1 : s < 20 ? 10 + s : s < 28 ? 40 - s : 1);
const history = [
  ...phases(
    [
      ['baseline', 0],
      ['fault', 10],
      ['after', 20],
    ],
    40,
  ),
  faultStart(10_000, 'f1', 'kill-broker'),
  faultStop(20_000, 'f1'),
  ...Array.from({ length: 40 }, (_, s) =>
    sample(s * 1000, 'consumer-lag', {
      groups: [
        { group: 'stream-normalizer', topic: 'a', lagOffsets: 10 * lagAt(s), lagSec: lagAt(s) },
        { group: 'stream-normalizer', topic: 'b', lagOffsets: 5, lagSec: 0 },
        { group: 'other', topic: 'a', lagOffsets: 0, lagSec: 0 },
      ],
    }),
  ),
].sort((a, b) => a.t - b.t);
const lag = (stat: string, value: number, window: 'fault' | 'baseline' | 'run' = 'fault') =>
  row({
    metric: 'consumer-lag',
    id: `lag.${stat}`,
    params: { group: 'stream-normalizer', stat },
    objective: { op: '<=', value },
    unit: 's',
    window,
  });

describe('consumer-lag', () => {
  it('p95 and peak of seconds, peak of offsets over the window', () => {
    const run = runData({ history });
    expect(judgeOne(run, lag('peak-sec', 30))).toMatchObject({ verdict: 'pass', measured: 29 });
    expect(judgeOne(run, lag('p95-sec', 20))).toMatchObject({ verdict: 'fail', measured: 29 });
    expect(judgeOne(run, lag('p95-sec', 2, 'baseline'))).toMatchObject({ verdict: 'pass', measured: 1 });
    expect(judgeOne(run, { ...lag('peak-offsets', 1000), unit: 'count' })).toMatchObject({ measured: 295 });
  });

  it('drain: fault stop to lag at or under the group objective', () => {
    // After the stop at 20 s the lag is 20, 19, ... 13 (at 27 s), then 1.
    const drain = lag('drain-sec', 5);
    expect(judgeOne(runData({ history }), drain, [lag('peak-sec', 20)])).toMatchObject({
      verdict: 'pass',
      measured: 0,
    });
    expect(judgeOne(runData({ history }), drain, [lag('peak-sec', 13)])).toMatchObject({
      verdict: 'fail',
      measured: 7,
    });
  });

  it('is unknown without samples of the group, or when the lag never drained', () => {
    expect(
      judgeOne(runData({ history }), { ...lag('peak-sec', 1), params: { group: 'nope', stat: 'peak-sec' } })
        .verdict,
    ).toBe('unknown');
    expect(judgeOne(runData({ history: null }), lag('peak-sec', 1)).verdict).toBe('unknown');
    expect(judgeOne(runData({ history }), lag('drain-sec', 60), [lag('peak-sec', 0.5)]).detail).toContain(
      'never fell',
    );
  });
});
