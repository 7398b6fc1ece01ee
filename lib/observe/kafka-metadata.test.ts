import { describe, expect, it } from 'vitest';
import { decodeMetadata, encodeMetadata } from './kafka-metadata.ts';

/** Writes classic (non-flexible) protocol fields, as a broker does. */
class Frame {
  private readonly parts: Buffer[] = [];
  i8(v: number) {
    this.parts.push(Buffer.from([v]));
    return this;
  }
  i16(v: number) {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }
  i32(v: number) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  str(s: string | null) {
    if (s === null) return this.i16(-1);
    this.i16(Buffer.byteLength(s));
    this.parts.push(Buffer.from(s));
    return this;
  }
  ints(v: number[]) {
    this.i32(v.length);
    for (const x of v) this.i32(x);
    return this;
  }
  build() {
    return Buffer.concat(this.parts);
  }
}

describe('Metadata v7', () => {
  it('encodes the topics asked, without auto-creation, with its size prefix', () => {
    const req = encodeMetadata(9, ['a.b', 'c']);
    expect(req.readInt32BE(0)).toBe(req.length - 4);
    expect(req.readInt16BE(4)).toBe(3);
    expect(req.readInt16BE(6)).toBe(7);
    expect(req.readInt32BE(8)).toBe(9);
    const clientLen = req.readInt16BE(12);
    let pos = 14 + clientLen;
    expect(req.readInt32BE(pos)).toBe(2);
    pos += 4;
    expect(req.toString('utf8', pos + 2, pos + 2 + req.readInt16BE(pos))).toBe('a.b');
    expect(req[req.length - 1]).toBe(0);
  });

  it('reads brokers, and leader, epoch and ISR per partition, leaving out topics with an error', () => {
    const f = new Frame().i32(1).i32(0);
    f.i32(2).i32(3).str('127.0.0.3').i32(9092).str('az-c').i32(1).str('127.0.0.1').i32(9092).str(null);
    f.str('cluster').i32(3);
    f.i32(2);
    // topic "t": two partitions, the second without a leader
    f.i16(0).str('t').i8(0).i32(2);
    f.i16(0).i32(0).i32(3).i32(4).ints([3, 1, 2]).ints([3, 1]).ints([]);
    f.i16(5).i32(1).i32(-1).i32(7).ints([1, 2, 3]).ints([]).ints([2]);
    // topic "missing": UNKNOWN_TOPIC_OR_PARTITION
    f.i16(3).str('missing').i8(0).i32(0);
    const m = decodeMetadata(f.build());
    expect(m.brokers).toEqual([1, 3]);
    expect(m.partitions).toEqual([
      { topic: 't', partition: 0, leader: 3, leaderEpoch: 4, isr: [3, 1] },
      { topic: 't', partition: 1, leader: -1, leaderEpoch: 7, isr: [] },
    ]);
  });
});
