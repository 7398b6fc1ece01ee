import { framed, Reader, requestHeader, roundTrip } from './kafka-wire.ts';

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
  // Request header v2: the v1 header plus (empty) tagged fields.
  return framed(Buffer.concat([requestHeader(API_KEY, 0, correlationId, clientId), uvarint(0), body]));
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
  return roundTrip(host, port, encodeDescribeQuorum(1), decodeDescribeQuorum, timeoutMs, 'DescribeQuorum');
}
