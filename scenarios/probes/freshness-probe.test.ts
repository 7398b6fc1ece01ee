import { describe, expect, it } from 'vitest';
import { pollDelayMs } from './freshness-probe.ts';

describe('pollDelayMs', () => {
  it('polls at the first interval, then at a tenth of the wait, at most every second', () => {
    expect(pollDelayMs(0, 100)).toBe(100);
    expect(pollDelayMs(900, 100)).toBe(100);
    expect(pollDelayMs(3000, 100)).toBe(300);
    expect(pollDelayMs(30_000, 100)).toBe(1000);
  });

  it('a value visible only after 30 s costs a bounded number of polls', () => {
    let t = 0;
    let polls = 0;
    while (t < 30_000) {
      polls++;
      t += pollDelayMs(t, 50);
    }
    expect(polls).toBeLessThan(80);
  });
});
