import { describe, expect, it } from 'vitest';
import { windowKey } from './rate-limit.ts';

describe('windowKey', () => {
  it('puts instants of one window under one key and says when it resets', () => {
    const a = windowKey('c1', 60_000, 60);
    const b = windowKey('c1', 119_999, 60);
    expect(a.key).toBe(b.key);
    expect(a.resetSec).toBe(60);
    expect(b.resetSec).toBe(1);
    expect(windowKey('c1', 120_000, 60).key).not.toBe(a.key);
    expect(windowKey('c2', 60_000, 60).key).not.toBe(a.key);
  });
});
