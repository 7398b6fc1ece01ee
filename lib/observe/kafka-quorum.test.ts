import { describe, expect, it } from 'vitest';
import { decodeDescribeQuorum, encodeDescribeQuorum } from './kafka-quorum.ts';

/** A DescribeQuorum v0 response frame (without its size), as a broker sends it. */
function response(errorCode: number, leaderId: number): Buffer {
  const parts: Buffer[] = [];
  const i16 = (v: number) => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    parts.push(b);
  };
  const i32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    parts.push(b);
  };
  const i64 = (v: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    parts.push(b);
  };
  const uv = (v: number) => parts.push(Buffer.from([v]));
  i32(7); // correlation id
  uv(0); // header tags
  i16(errorCode);
  uv(2); // one topic
  const name = Buffer.from('__cluster_metadata');
  uv(name.length + 1);
  parts.push(name);
  uv(2); // one partition
  i32(0);
  i16(0);
  i32(leaderId);
  i32(5); // epoch
  i64(1234n); // high watermark
  uv(4); // three voters
  for (const id of [1, 2, 3]) {
    i32(id);
    i64(1000n + BigInt(id));
    uv(0);
  }
  uv(1); // no observers
  uv(0);
  uv(0);
  uv(0);
  return Buffer.concat(parts);
}

describe('DescribeQuorum', () => {
  it('encodes a v0 request for __cluster_metadata partition 0 with its size prefix', () => {
    const req = encodeDescribeQuorum(1);
    expect(req.readInt32BE(0)).toBe(req.length - 4);
    expect(req.readInt16BE(4)).toBe(55);
    expect(req.readInt16BE(6)).toBe(0);
    expect(req.includes(Buffer.from('__cluster_metadata'))).toBe(true);
  });
  it('reads the leader, epoch, high watermark and voters', () => {
    const q = decodeDescribeQuorum(response(0, 3));
    expect(q.leaderId).toBe(3);
    expect(q.leaderEpoch).toBe(5);
    expect(q.highWatermark).toBe(1234n);
    expect(q.voters.map((v) => v.replicaId)).toEqual([1, 2, 3]);
  });
  it('throws with the error code a follower answers with', () => {
    expect(() => decodeDescribeQuorum(response(6, -1))).toThrow(/error 6/);
  });
});
