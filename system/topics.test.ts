import { describe, expect, it } from 'vitest';
import { TOPICS } from './contracts.ts';
import { topicSpecs } from './topics.ts';

describe('topicSpecs', () => {
  it('covers every contract topic with RF 3 and min ISR 2', () => {
    const specs = topicSpecs();
    expect(specs.map((s) => s.name).sort()).toEqual(
      Object.values(TOPICS)
        .map((t) => t.name)
        .sort(),
    );
    for (const s of specs) {
      expect(s.replicationFactor).toBe(3);
      expect(s.config?.['min.insync.replicas']).toBe('2');
    }
    expect(specs.find((s) => s.name === 'supplier.raw')?.partitions).toBe(24);
  });

  it('never asks for a min ISR above the replication factor', () => {
    expect(topicSpecs(1)[0]?.config?.['min.insync.replicas']).toBe('1');
  });
});
