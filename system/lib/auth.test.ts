import { describe, expect, it } from 'vitest';
import { authenticate } from './auth.ts';

describe('authenticate', () => {
  it('accepts a listed key and returns a stable non-secret client id', () => {
    const id = authenticate('Bearer k2', ['k1', 'k2']);
    expect(id).toHaveLength(12);
    expect(id).not.toContain('k2');
    expect(authenticate('bearer k2', ['k2'])).toBe(id);
  });

  it('refuses missing, malformed and unknown keys with 401', () => {
    for (const h of [undefined, '', 'Basic abc', 'Bearer', 'Bearer nope']) {
      expect(() => authenticate(h, ['k1']), String(h)).toThrow(expect.objectContaining({ statusCode: 401 }));
    }
  });
});
