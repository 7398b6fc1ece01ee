import { describe, expect, it } from 'vitest';
import { Lru } from './lru.ts';

describe('Lru', () => {
  it('evicts the least recently used entry beyond capacity', () => {
    const l = new Lru<number>(2, 1_000, () => 0);
    l.set('a', 1);
    l.set('b', 2);
    l.get('a');
    l.set('c', 3);
    expect(l.get('b')).toBeUndefined();
    expect(l.get('a')).toBe(1);
    expect(l.get('c')).toBe(3);
  });

  it('expires entries after the TTL', () => {
    let t = 0;
    const l = new Lru<number>(10, 100, () => t);
    l.set('a', 1);
    t = 99;
    expect(l.get('a')).toBe(1);
    t = 200;
    expect(l.get('a')).toBeUndefined();
  });
});
