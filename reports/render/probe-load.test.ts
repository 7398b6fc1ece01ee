import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../lib/run-format.ts';
import { probeLoad } from './probe-load.ts';

const sample = (t: number, probe: 'api' | 'freshness' | 'kafka', requests?: number): HistoryEvent => ({
  kind: 'sample',
  t,
  wall: new Date(t).toISOString(),
  probe,
  ok: true,
  data: {} as never,
  ...(requests !== undefined ? { requests } : {}),
});

describe('probeLoad', () => {
  it("sums each probe's counted requests per second of the span, largest first", () => {
    const h = [sample(0, 'api', 1), sample(1000, 'api', 1), sample(0, 'freshness', 30), sample(0, 'kafka')];
    expect(probeLoad(h, 10)).toEqual({
      totalPerSec: 3.2,
      byProbe: [
        { probe: 'freshness', perSec: 3 },
        { probe: 'api', perSec: 0.2 },
      ],
    });
  });

  it('is null for runs whose probes did not count their requests', () => {
    expect(probeLoad([sample(0, 'kafka')], 10)).toBeNull();
    expect(probeLoad(null, 10)).toBeNull();
  });
});
