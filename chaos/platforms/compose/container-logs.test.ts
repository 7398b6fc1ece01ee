import { describe, expect, it } from 'vitest';
import { demuxLogs } from './container-logs.ts';

const frame = (stream: number, text: string) => {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
};

describe('demuxLogs', () => {
  it('joins stdout and stderr frames in order, without their headers', () => {
    const buf = Buffer.concat([frame(1, 'started\n'), frame(2, 'warn: x\n'), frame(1, 'ready\n')]);
    expect(demuxLogs(buf)).toBe('started\nwarn: x\nready\n');
  });
  it('keeps a truncated last frame as far as it goes', () => {
    const buf = Buffer.concat([frame(1, 'one\n'), frame(1, 'two and more\n').subarray(0, 11)]);
    expect(demuxLogs(buf)).toBe('one\ntwo');
  });
  it('returns raw text that is not framed (a TTY container)', () => {
    expect(demuxLogs(Buffer.from('plain log line that is long enough\n'))).toBe(
      'plain log line that is long enough\n',
    );
  });
});
