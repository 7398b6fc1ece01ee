import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../lib/run-format.ts';
import { formatProgress, lagFacts } from './progress.ts';

const wall = '2026-01-01T00:00:00.000Z';
const lag = (t: number, sec: number, offsets: number): HistoryEvent => ({
  kind: 'sample',
  t,
  wall,
  probe: 'consumer-lag',
  ok: true,
  data: { groups: [{ group: 'stream-normalizer', topic: 'supplier.raw', lagOffsets: offsets, lagSec: sec }] },
});

describe('progress line', () => {
  it('shows phase, elapsed/total, achieved vs intended rate, p95, errors, faults and lag', () => {
    expect(
      formatProgress({
        scenario: 'broker-loss',
        phase: 'fault',
        elapsedSec: 34.7,
        totalSec: 75,
        rate: 21,
        loadSec: 22,
        intendedRate: 23,
        p95Ms: 12.34,
        errors: 3,
        activeFaults: ['kill-most-leaders'],
        lag: { sec: 2.14, offsets: 340, group: 'stream-normalizer' },
      }),
    ).toBe(
      'broker-loss fault     34/75 s  rate 21/23 req/s @22s  p95 12 ms  errors 3  faults kill-most-leaders  max lag 2.1 s (340 msgs, stream-normalizer)',
    );
  });

  it('says what is not known yet', () => {
    const line = formatProgress({
      scenario: 's',
      phase: 'drain',
      elapsedSec: 80,
      totalSec: 75,
      rate: null,
      intendedRate: null,
      p95Ms: null,
      errors: 0,
      activeFaults: [],
      lag: null,
      note: 'draining consumer lag',
    });
    expect(line).toContain('rate -  p95 - ms');
    expect(line).toContain('faults none  max lag -  draining consumer lag');
  });
});

describe('lagFacts', () => {
  it('reports peak lag and the drain time from the last fault stop', () => {
    const history: HistoryEvent[] = [
      lag(0, 0, 0),
      { kind: 'fault-start', t: 1000, wall, faultId: 'f', fault: 'kill', selector: 'x', targets: [] },
      lag(2000, 4, 400),
      { kind: 'fault-stop', t: 3000, wall, faultId: 'f' },
      lag(3000, 6.5, 900),
      lag(4000, 3, 300),
      lag(7500, 0.5, 10),
      lag(8000, 0, 0),
    ];
    expect(lagFacts(history)).toEqual([
      { group: 'stream-normalizer', peakSec: 6.5, peakOffsets: 900, drainSec: 4.5 },
    ]);
  });
  it('has no drain time without a fault', () => {
    expect(lagFacts([lag(0, 1, 5)])[0]?.drainSec).toBeNull();
  });
});
