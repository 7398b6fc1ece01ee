import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../lib/run-format.ts';
import { parseFlags, reasonLines, runFactLines, verdictTable } from './run-scenario.ts';

describe('run-scenario flags', () => {
  it('reads profile, scale and seed', () => {
    expect(parseFlags({ profile: 'drill', scale: '0.02', seed: '7' })).toEqual({
      profile: 'drill',
      scale: 0.02,
      seed: 7,
    });
  });
  it('reports every bad flag at once (exit 254)', () => {
    try {
      parseFlags({ profile: 'weekly', scale: '-1', seed: 'x' });
      expect.unreachable();
    } catch (e) {
      const err = e as { exitCode: number; message: string };
      expect(err.exitCode).toBe(254);
      expect(err.message).toContain('--profile');
      expect(err.message).toContain('--scale');
      expect(err.message).toContain('--seed');
    }
  });
});

describe('run-scenario output', () => {
  const results: RunResults = {
    formatVersion: 1,
    scenario: 'broker-loss',
    runDir: '/tmp/r',
    verdict: 'fail',
    slos: [
      {
        id: 'kafka.leader-failover',
        title: 't',
        verdict: 'pass',
        measured: 7.706,
        objective: { op: '<', value: 10 },
        unit: 's',
        margin: 2.294,
        detail: 'd',
        source: { seed: 's', table: 't', row: 'r' },
      },
    ],
    faults: [
      {
        faultId: 'kill-most-leaders',
        fault: 'kill',
        targets: [{ name: 'kafka-2', az: 'az-b' }],
        startMs: 20_000,
        stopMs: 45_000,
        rtoMs: 22_678,
        detectionMs: 8_678,
        components: [{ what: 'kafka-leader', ms: 7_706 }],
      },
    ],
    lostWrites: [],
    duplicates: [],
    judgedAt: 'now',
    sloTables: [],
  };
  it('prints one verdict row per SLO', () => {
    expect(verdictTable(results)).toBe(
      'slo                    measured  objective  verdict\nkafka.leader-failover  7.706 s   < 10 s     PASS',
    );
  });
  it('names each reason of an unknown run', () => {
    expect(reasonLines(results)).toEqual([]);
    const why = {
      ...results.slos[0],
      id: 'windshear.run-as-planned',
      verdict: 'unknown' as const,
      measured: 1,
      detail: 'not what was planned, so it cannot pass: [fault-not-injected] fault two ...',
    } as RunResults['slos'][number];
    expect(reasonLines({ ...results, verdict: 'unknown', slos: [...results.slos, why] })).toEqual([
      'unknown: windshear.run-as-planned: not what was planned, so it cannot pass: [fault-not-injected] fault two ...',
    ]);
  });
  it('prints per-fault RTO, RPO and lag facts', () => {
    const lines = runFactLines(results, [
      { group: 'stream-normalizer', peakSec: 3.2, peakOffsets: 120, drainSec: 4.5 },
    ]);
    expect(lines).toEqual([
      'fault kill-most-leaders (kill kafka-2): RTO 22.7 s, detection 8.7 s; kafka-leader 7.7 s',
      'lost acknowledged writes (RPO) 0, duplicate reservations 0',
      'consumer lag stream-normalizer: peak 3.2 s / 120 msgs, drained 4.5 s after the last fault stopped',
    ]);
  });
});
