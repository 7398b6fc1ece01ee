import { Socket } from 'node:net';

/**
 * The active KRaft controller, asked with DescribeQuorum (API key 55, v0). In KRaft the
 * Metadata response's controller id is a random live broker, so kafkajs' describeCluster
 * cannot tell who leads the metadata quorum; a broker forwards DescribeQuorum to the leader.
 */
export interface QuorumInfo {
  leaderId: number;
  leaderEpoch: number;
  highWatermark: bigint;
  voters: { replicaId: number; logEndOffset: bigint }[];
}

const API_KEY = 55;
const NOT_LEADER_OR_FOLLOWER = 6;

function uvarint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

export function encodeDescribeQuorum(correlationId: number, clientId = 'windshear'): Buffer {
  const header = Buffer.alloc(8);
  header.writeInt16BE(API_KEY, 0);
  header.writeInt16BE(0, 2);
  header.writeInt32BE(correlationId, 4);
  const cid = Buffer.from(clientId);
  const cidLen = Buffer.alloc(2);
  cidLen.writeInt16BE(cid.length, 0);
  const topic = Buffer.from('__cluster_metadata');
  const partition = Buffer.alloc(4);
  const body = Buffer.concat([
    uvarint(2), // one topic
    uvarint(topic.length + 1),
    topic,
    uvarint(2), // one partition
    partition, // partition_index 0
    uvarint(0), // partition tags
    uvarint(0), // topic tags
    uvarint(0), // body tags
  ]);
  const payload = Buffer.concat([header, cidLen, cid, uvarint(0), body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length, 0);
  return Buffer.concat([size, payload]);
}

class Reader {
  constructor(
    private readonly buf: Buffer,
    public pos = 0,
  ) {}
  int16() {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32() {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  int64() {
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  uvarint() {
    let shift = 0;
    let v = 0;
    for (;;) {
      const b = this.buf[this.pos++]!;
      v |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v >>> 0;
      shift += 7;
    }
  }
  skipTags() {
    const n = this.uvarint();
    for (let i = 0; i < n; i++) {
      this.uvarint();
      this.pos += this.uvarint();
    }
  }
  compactString() {
    const len = this.uvarint() - 1;
    const s = this.buf.toString('utf8', this.pos, this.pos + Math.max(0, len));
    this.pos += Math.max(0, len);
    return s;
  }
}

/** Parses a DescribeQuorum v0 response (without the 4-byte size); throws on an error code. */
export function decodeDescribeQuorum(frame: Buffer): QuorumInfo {
  const r = new Reader(frame);
  r.int32(); // correlation id
  r.skipTags();
  const top = r.int16();
  if (top !== 0) throw Object.assign(new Error(`DescribeQuorum error ${top}`), { code: top });
  // We ask for one partition of one topic: read the first of each.
  if (r.uvarint() - 1 < 1) throw new Error('DescribeQuorum response had no topic');
  r.compactString();
  if (r.uvarint() - 1 < 1) throw new Error('DescribeQuorum response had no partition');
  r.int32();
  const err = r.int16();
  if (err !== 0) throw Object.assign(new Error(`DescribeQuorum partition error ${err}`), { code: err });
  const leaderId = r.int32();
  const leaderEpoch = r.int32();
  const highWatermark = r.int64();
  const voters: QuorumInfo['voters'] = [];
  const nv = r.uvarint() - 1;
  for (let i = 0; i < nv; i++) {
    const replicaId = r.int32();
    const logEndOffset = r.int64();
    r.skipTags();
    voters.push({ replicaId, logEndOffset });
  }
  return { leaderId, leaderEpoch, highWatermark, voters };
}

/** One DescribeQuorum round trip to `host:port`, bounded by `timeoutMs`. */
export function describeQuorum(host: string, port: number, timeoutMs = 1500): Promise<QuorumInfo> {
  return new Promise((resolve, reject) => {
    const sock = new Socket();
    let buf = Buffer.alloc(0);
    const done = (err: Error | null, v?: QuorumInfo) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(v!);
    };
    const timer = setTimeout(() => done(new Error(`DescribeQuorum to ${host}:${port} timed out`)), timeoutMs);
    sock.on('error', (e) => done(e));
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 4) return;
      const size = buf.readInt32BE(0);
      if (buf.length < 4 + size) return;
      try {
        done(null, decodeDescribeQuorum(buf.subarray(4, 4 + size)));
      } catch (e) {
        done(e as Error);
      }
    });
    sock.connect(port, host, () => sock.write(encodeDescribeQuorum(1)));
  });
}

/** Asks each address in turn; the first answer names the active controller. Null if none answers. */
export async function activeController(
  addresses: { host: string; port: number }[],
  timeoutMs = 1500,
): Promise<QuorumInfo | null> {
  for (const a of addresses) {
    try {
      const q = await describeQuorum(a.host, a.port, timeoutMs);
      if (q.leaderId >= 0) return q;
    } catch (e) {
      if ((e as { code?: number }).code === NOT_LEADER_OR_FOLLOWER) continue;
    }
  }
  return null;
}
