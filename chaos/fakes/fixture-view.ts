import type { ClusterView } from '../cluster-view.ts';

/**
 * A view of the ci topology in a known state: controller kafka-2 (node 2), kafka-3 leading most
 * supplier.raw partitions, Redis primary redis-b, PostgreSQL primary pg-a, everything up.
 */
export function fixtureView(over: Partial<ClusterView> = {}): ClusterView {
  const leaders = [3, 3, 1, 2, 3, 1]; // supplier.raw: kafka-3 leads 3, kafka-1 2, kafka-2 1
  return {
    at: '2026-01-01T00:00:00.000Z',
    kafka: {
      controller: 2,
      brokers: [1, 2, 3],
      partitions: [
        ...leaders.map((leader, partition) => ({ topic: 'supplier.raw', partition, leader, isr: [1, 2, 3] })),
        { topic: 'reservations.commands', partition: 0, leader: 1, isr: [1, 2] },
        { topic: 'reservations.commands', partition: 1, leader: null, isr: [] },
      ],
    },
    redis: {
      sentinels: [
        { name: 'sentinel-a', primary: '10.77.0.12:6379' },
        { name: 'sentinel-b', primary: '10.77.0.12:6379' },
        { name: 'sentinel-c', primary: null },
      ],
      primary: '10.77.0.12:6379',
      primaryName: 'redis-b',
    },
    postgres: {
      primary: 'pg-a',
      nodes: [
        { name: 'pg-a', inRecovery: false },
        { name: 'pg-b', inRecovery: true },
      ],
    },
    processes: { 'kafka-1': { state: 'up', pid: 4242 } },
    ...over,
  };
}
