import { describe, expect, it } from 'vitest';
import { deterministicId } from './deterministic-id.ts';

describe('deterministicId', () => {
  it('is stable per (namespace, name) and distinct otherwise', () => {
    const a = deterministicId('reservation', 'key-1');
    expect(a).toBe(deterministicId('reservation', 'key-1'));
    expect(a).not.toBe(deterministicId('reservation', 'key-2'));
    expect(a).not.toBe(deterministicId('booking', 'key-1'));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
