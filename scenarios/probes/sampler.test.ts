import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../lib/run-format.ts';
import { startSampler } from './sampler.ts';

const clock = { t: () => 0, wall: () => '2026-01-01T00:00:00.000Z' };

describe('startSampler', () => {
  it('turns a throwing probe into ok=false samples and skips ticks while one is running', async () => {
    const events: HistoryEvent[] = [];
    let calls = 0;
    const s = startSampler(
      {
        name: 'api',
        intervalMs: 10,
        sample: async () => {
          calls++;
          await new Promise((r) => setTimeout(r, 35));
          throw new Error('edge down');
        },
      },
      clock,
      (e) => events.push(e),
    );
    await new Promise((r) => setTimeout(r, 100));
    await s.stop();
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(4);
    expect(s.skipped()).toBeGreaterThan(0);
    expect(events.every((e) => e.kind === 'sample' && !e.ok && e.error === 'edge down')).toBe(true);
  });
});
