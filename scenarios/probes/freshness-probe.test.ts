import { describe, expect, it } from 'vitest';
import { pollDelayMs, refreshIntervalOf } from './freshness-probe.ts';

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

describe('refreshIntervalOf', () => {
  it('reads the interval set on the index, else its default', () => {
    expect(
      refreshIntervalOf({ flights: { settings: { index: { refresh_interval: '500ms' } } } }, 'flights'),
    ).toBe('500ms');
    expect(
      refreshIntervalOf(
        { flights: { settings: {}, defaults: { index: { refresh_interval: '1s' } } } },
        'flights',
      ),
    ).toBe('1s');
  });

  it('is null for another index or an error body', () => {
    expect(
      refreshIntervalOf({ other: { settings: { index: { refresh_interval: '1s' } } } }, 'flights'),
    ).toBeNull();
    expect(refreshIntervalOf({ error: 'index_not_found_exception' }, 'flights')).toBeNull();
    expect(refreshIntervalOf(null, 'flights')).toBeNull();
  });
});
