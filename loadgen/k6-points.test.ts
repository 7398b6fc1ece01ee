import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../test/temp-dirs.ts';
import { FileTailer, GzipSink, parsePointLine, pointEpochMs } from './k6-points.ts';

const tempDir = useTempDirs();

describe('parsePointLine', () => {
  it('reads folded metrics and skips the rest', () => {
    const p = parsePointLine(
      '{"metric":"http_req_duration","type":"Point","data":{"time":"2026-11-21T05:52:44.356694391Z","value":8.184094,"tags":{"endpoint":"search","status":"200"}}}',
    );
    expect(p).toEqual({
      metric: 'http_req_duration',
      epochMs: Date.UTC(2026, 10, 21, 5, 52, 44, 356),
      value: 8.184094,
      tags: { endpoint: 'search', status: '200' },
    });
    expect(
      parsePointLine(
        '{"metric":"http_req_waiting","type":"Point","data":{"time":"2026-11-21T05:52:44Z","value":1,"tags":{}}}',
      ),
    ).toBeNull();
    expect(
      parsePointLine('{"type":"Metric","data":{"name":"http_req_duration"},"metric":"http_req_duration"}'),
    ).toBeNull();
    expect(
      parsePointLine(
        '{"type":"Point","metric":"dropped_iterations","data":{"time":"2026-11-21T05:52:44Z","value":1,"tags":null}}',
      )?.tags,
    ).toEqual({});
  });
});

describe('pointEpochMs', () => {
  it('handles Z, offsets and any fraction length', () => {
    expect(pointEpochMs('2026-11-21T05:52:44Z')).toBe(Date.UTC(2026, 10, 21, 5, 52, 44));
    expect(pointEpochMs('2026-11-21T05:52:44.9Z')).toBe(Date.UTC(2026, 10, 21, 5, 52, 44, 900));
    expect(pointEpochMs('2026-11-21T07:52:44.123456789+02:00')).toBe(Date.UTC(2026, 10, 21, 5, 52, 44, 123));
    expect(() => pointEpochMs('yesterday')).toThrow();
  });
});

describe('FileTailer', () => {
  it('yields complete lines as they are appended and copies every byte', async () => {
    const dir = await tempDir('ws-tail-');
    const file = join(dir, 'p.jsonl');
    const copied: Buffer[] = [];
    const t = new FileTailer(file, (c) => copied.push(c));
    expect(await t.read()).toEqual([]);
    await writeFile(file, 'a\nb');
    expect(await t.read()).toEqual(['a']);
    await appendFile(file, 'c\nd\n');
    expect(await t.read()).toEqual(['bc', 'd']);
    await appendFile(file, 'tail');
    expect(await t.finish()).toEqual(['tail']);
    expect(Buffer.concat(copied).toString()).toBe('a\nbc\nd\ntail');
  });

  it('gzip sink round-trips', async () => {
    const dir = await tempDir('ws-gz-');
    const sink = new GzipSink(join(dir, 'x.gz'));
    sink.write(Buffer.from('hello\n'));
    sink.write(Buffer.from('world\n'));
    await sink.end();
    expect(gunzipSync(await readFile(join(dir, 'x.gz'))).toString()).toBe('hello\nworld\n');
  });
});
