import { describe, expect, it } from 'vitest';
import { LagTracker } from './lag-tracker.ts';

describe('LagTracker: lag seconds from observed offsets', () => {
  it('is 0 when the group is caught up', () => {
    const t = new LagTracker();
    expect(t.observe('p0', 0, 10, 10)).toEqual({ lagOffsets: 0, lagSec: 0 });
    expect(t.observe('p0', 1000, 12, 12)).toEqual({ lagOffsets: 0, lagSec: 0 });
  });

  it('dates the oldest unconsumed record at the first observation of a log end past the committed offset', () => {
    const t = new LagTracker();
    t.observe('p0', 0, 10, 10); // caught up at t=0
    t.observe('p0', 1000, 15, 10); // records 10..14 appeared by t=1 s
    t.observe('p0', 2000, 20, 10); // records 15..19 by t=2 s
    // At t=5 s the consumer still sits at 10: the record at offset 10 is 4 s old (seen at 1 s).
    expect(t.observe('p0', 5000, 20, 10)).toEqual({ lagOffsets: 10, lagSec: 4 });
    // It consumed 10..14: the oldest unconsumed (15) appeared at 2 s.
    expect(t.observe('p0', 6000, 20, 15)).toEqual({ lagOffsets: 5, lagSec: 4 });
    expect(t.observe('p0', 7000, 20, 20)).toEqual({ lagOffsets: 0, lagSec: 0 });
  });

  it('dates a backlog older than the first observation at the first observation (a lower bound)', () => {
    const t = new LagTracker();
    expect(t.observe('p0', 3000, 100, 40)).toEqual({ lagOffsets: 60, lagSec: 0 });
    expect(t.observe('p0', 5500, 100, 50)).toEqual({ lagOffsets: 50, lagSec: 2.5 });
  });

  it('keeps partitions apart and treats "never committed" as offset 0', () => {
    const t = new LagTracker();
    t.observe('a', 0, 5, -1);
    t.observe('b', 0, 5, 5);
    expect(t.observe('a', 2000, 5, -1)).toEqual({ lagOffsets: 5, lagSec: 2 });
    expect(t.observe('b', 2000, 5, 5)).toEqual({ lagOffsets: 0, lagSec: 0 });
  });

  it('starts again when the log end moves backwards (log truncated)', () => {
    const t = new LagTracker();
    t.observe('p0', 0, 50, 10);
    expect(t.observe('p0', 4000, 30, 10)).toEqual({ lagOffsets: 20, lagSec: 0 });
  });
});
