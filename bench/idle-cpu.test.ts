import { describe, expect, it } from 'vitest';
import { formatByKind } from './idle-cpu.ts';

describe('formatByKind', () => {
  it('lists the kinds using at least 0.01 cores, most first, to two places', () => {
    expect(formatByKind({ stream: 0.3149, kafka: 0.991, redis: 0.004, opensearch: 0.25 })).toBe(
      'kafka 0.99, stream 0.31, opensearch 0.25',
    );
  });

  it('is empty for an idle or empty window', () => {
    expect(formatByKind({ redis: 0.009 })).toBe('');
    expect(formatByKind({})).toBe('');
  });
});
