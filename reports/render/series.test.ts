import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import type { HistoryEvent, LatencyWindow, ProbeData, ProbeName } from '../../lib/run-format.ts';
import {
  capacityEvidence,
  componentEvents,
  faultWindows,
  lagSeries,
  latencySeries,
  rateSeries,
} from './series.ts';

function hdr(valuesMs: number[]): string {
  const h = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  for (const v of valuesMs) h.recordValue(v * 1000);
  return encodeIntoCompressedBase64(h);
}

function sample(t: number, probe: ProbeName, data: ProbeData): HistoryEvent {
  return { t, wall: '', kind: 'sample', probe, ok: true, data };
}

describe('latencySeries', () => {
  it('merges histograms within a bucket instead of averaging percentiles', () => {
    // Second 0: 99 fast requests; second 1: one slow one. Merged p99 is fast; averaged p99s would be ~2.5 s.
    const windows: LatencyWindow[] = [
      { sec: 0, tag: 'search', count: 99, errors: 0, hdr: hdr(Array.from({ length: 99 }, () => 10)) },
      { sec: 1, tag: 'search', count: 1, errors: 0, hdr: hdr([5000]) },
    ];
    const p99 = latencySeries(windows, 2).find((p) => p.percentile === 'p99');
    expect(p99).toMatchObject({ tag: 'search', sec: 0 });
    expect(p99?.ms).toBeCloseTo(10, 0);
    const perSecond = latencySeries(windows, 1).filter((p) => p.percentile === 'p99');
    // HDR keeps 3 significant digits, so compare to the nearest 10 ms.
    expect(perSecond.map((p) => Math.round(p.ms / 10) * 10)).toEqual([10, 5000]);
  });

  it('labels the all-requests tag `all`', () => {
    const points = latencySeries([{ sec: 0, tag: '*', count: 1, errors: 0, hdr: hdr([7]) }], 1);
    expect(points.map((p) => p.tag)).toEqual(['all', 'all', 'all']);
  });
});

describe('rateSeries', () => {
  it('divides the bucket count by its width and averages the intended rate', () => {
    const w = (sec: number, count: number): LatencyWindow => ({
      sec,
      tag: '*',
      count,
      errors: 0,
      hdr: '',
      intendedRate: 50,
    });
    expect(rateSeries([w(0, 40), w(1, 50)], 2)).toEqual([
      { sec: 0, series: 'achieved', rps: 45 },
      { sec: 0, series: 'intended', rps: 50 },
    ]);
  });
});

describe('componentEvents', () => {
  it('reports Sentinel switches, promotion, LB down/up and Kafka leader changes from sample changes', () => {
    const redis = (primaryName: string) => ({ sentinels: [], primary: primaryName, primaryName });
    const pg = (primary: string | null, writable: boolean) => ({
      primary,
      writable,
      replicationLagBytes: null,
      syncState: null,
    });
    const lb = (status: 'UP' | 'DOWN') => ({
      servers: [{ backend: 'search', server: 'b1', az: 'az-b' as const, status }],
    });
    const kafka = (leader: number) => ({
      controller: 1,
      brokers: [1, 2, 3],
      partitions: [{ topic: 't', partition: 0, leader, isr: leader === 1 ? [1, 2, 3] : [2] }],
    });
    const history: HistoryEvent[] = [
      sample(1000, 'redis', redis('redis-a')),
      sample(1000, 'postgres', pg('pg-a', true)),
      sample(1000, 'haproxy', lb('UP')),
      sample(1000, 'kafka', kafka(1)),
      sample(2000, 'postgres', pg(null, false)),
      sample(3000, 'redis', redis('redis-b')),
      sample(3000, 'haproxy', lb('DOWN')),
      sample(3000, 'kafka', kafka(2)),
      sample(4000, 'postgres', pg('pg-b', true)),
      sample(5000, 'haproxy', lb('UP')),
    ];
    expect(componentEvents(history).map((e) => `${e.sec} ${e.component} ${e.what}`)).toEqual([
      '2 postgres read-only',
      '3 redis switch-master',
      '3 haproxy b1 DOWN',
      '3 kafka leader change',
      '3 kafka ISR < 2',
      '4 postgres promoted',
      '5 haproxy b1 UP',
    ]);
  });

  it('reports the OpenSearch cluster changing health or size, not a sample that repeats it', () => {
    const os = (status: 'green' | 'yellow', nodes: number, silent: string[] = []) => ({
      status,
      nodes,
      unassignedShards: status === 'green' ? 0 : 1,
      activeShardsPercent: status === 'green' ? 100 : 50,
      from: 'opensearch-b',
      answered: ['opensearch-a', 'opensearch-b', 'opensearch-c'].filter((n) => !silent.includes(n)),
      silent,
    });
    const history: HistoryEvent[] = [
      sample(1000, 'opensearch', os('green', 3)),
      sample(2000, 'opensearch', os('green', 3)),
      sample(3000, 'opensearch', os('yellow', 2, ['opensearch-a'])),
      sample(4000, 'opensearch', os('yellow', 2, ['opensearch-a'])),
      sample(5000, 'opensearch', os('green', 2, ['opensearch-a'])),
      sample(6000, 'opensearch', os('green', 3)),
    ];
    const events = componentEvents(history);
    expect(events.map((e) => `${e.sec} ${e.component} ${e.what}`)).toEqual([
      '3 opensearch yellow, 2 nodes',
      '5 opensearch green, 2 nodes',
      '6 opensearch green, 3 nodes',
    ]);
    expect(events[0]?.detail).toBe(
      'cluster green with 3 nodes → yellow with 2, 1 unassigned shard(s) (from opensearch-b; no answer from opensearch-a)',
    );
  });

  it('ignores failed samples and the first sample of each probe', () => {
    const history: HistoryEvent[] = [
      { t: 0, wall: '', kind: 'sample', probe: 'redis', ok: false, data: {}, error: 'timeout' },
      sample(1000, 'redis', { sentinels: [], primary: 'x', primaryName: 'redis-a' }),
    ];
    expect(componentEvents(history)).toEqual([]);
  });
});

describe('lagSeries and faultWindows', () => {
  it('sums offsets and takes the oldest age per group', () => {
    const h: HistoryEvent[] = [
      sample(2000, 'consumer-lag', {
        groups: [
          { group: 'g', topic: 'a', lagOffsets: 5, lagSec: 1 },
          { group: 'g', topic: 'b', lagOffsets: 7, lagSec: 3 },
        ],
      }),
    ];
    expect(lagSeries(h)).toEqual([{ sec: 2, group: 'g', lagOffsets: 12, lagSec: 3 }]);
  });

  it('runs a fault without a stop to the end of the span', () => {
    const h: HistoryEvent[] = [
      {
        t: 5000,
        wall: '',
        kind: 'fault-start',
        faultId: 'f1',
        fault: 'kill',
        selector: 's',
        targets: [{ name: 'k', az: 'az-a' }],
      },
    ];
    expect(faultWindows(h, 30)).toEqual([
      { faultId: 'f1', fault: 'kill', targets: 'k', startSec: 5, stopSec: 30, open: true },
    ]);
  });
});

describe('capacityEvidence', () => {
  it('recognises only the capacity evidence shape', () => {
    const base = {
      id: 'c',
      title: 'c',
      verdict: 'pass' as const,
      measured: 1,
      objective: { op: '>=' as const, value: 1 },
      unit: 'req/s',
      margin: 0,
      detail: '',
      source: { seed: '', table: '', row: '' },
    };
    expect(
      capacityEvidence({ ...base, evidence: { steps: [{ rate: 1, p95Ms: 2, pass: true }], knee: 1 } })?.knee,
    ).toBe(1);
    expect(capacityEvidence({ ...base, evidence: { lostIds: ['a'] } })).toBeNull();
    expect(capacityEvidence(base)).toBeNull();
  });
});
