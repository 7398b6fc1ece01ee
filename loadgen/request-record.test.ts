import { describe, expect, it } from 'vitest';
import { parsePointLine } from './k6-points.ts';
import {
  formatRecord,
  isErrorRecord,
  latencyUs,
  parseRecordLine,
  recordFromK6Point,
} from './request-record.ts';

describe('request records', () => {
  it('round-trip through one JSON line, as ws-load writes them', () => {
    const line =
      '{"endpoint":"search","intended_us":1764600000123456,"lag_us":120,"duration_us":5400,"status":200}';
    const r = parseRecordLine(line)!;
    expect(r).toEqual({
      endpoint: 'search',
      intended_us: 1764600000123456,
      lag_us: 120,
      duration_us: 5400,
      status: 200,
    });
    expect(latencyUs(r)).toBe(5520);
    expect(parseRecordLine(formatRecord(r).trim())).toEqual(r);
    expect(parseRecordLine('{"metric":"http_reqs"}')).toBeNull();
    expect(parseRecordLine('{"endpoint":"search","status":200}')).toBeNull();
  });

  it('an error is no status or a status the endpoint does not expect', () => {
    expect(isErrorRecord({ endpoint: 'search', status: 200 })).toBe(false);
    expect(isErrorRecord({ endpoint: 'search', status: 0 })).toBe(true);
    expect(isErrorRecord({ endpoint: 'search', status: 503 })).toBe(true);
    expect(isErrorRecord({ endpoint: 'search', status: 404 })).toBe(true);
    expect(isErrorRecord({ endpoint: 'reservation-get', status: 404 })).toBe(false);
    expect(isErrorRecord({ endpoint: 'reserve', status: 202 })).toBe(false);
  });

  it('a k6 point becomes a record sent at its time minus its duration, with no lag', () => {
    const p = parsePointLine(
      '{"metric":"http_req_duration","type":"Point","data":{"time":"2026-12-01T10:00:01.500000+00:00","value":250.5,"tags":{"endpoint":"price","status":"0","error_code":"1050"}}}',
    )!;
    const r = recordFromK6Point(p);
    expect(r.intended_us).toBe(Date.parse('2026-12-01T10:00:01.500Z') * 1000 - 250_500);
    expect([r.endpoint, r.lag_us, r.duration_us, r.status]).toEqual(['price', 0, 250_500, 0]);
    expect(r.error).toContain('1050');
  });
});
