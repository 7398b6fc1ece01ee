import { classicString, framed, Reader, requestHeader, roundTrip } from './kafka-wire.ts';

/**
 * A broker's view of the cluster, asked with Metadata v7 (API key 3): the brokers it knows as
 * registered, and leader, leader epoch and ISR of each partition of the topics asked. Topics that
 * do not exist come back with an error code and are left out (never created: auto-creation off).
 */
export interface MetadataInfo {
  brokers: number[];
  partitions: {
    topic: string;
    partition: number;
    /** -1 when the partition has no leader. */
    leader: number;
    /** Bumped by the controller on each leader change; the larger of two answers is newer. */
    leaderEpoch: number;
    isr: number[];
  }[];
}

const API_KEY = 3;
const VERSION = 7;

export function encodeMetadata(
  correlationId: number,
  topics: readonly string[],
  clientId = 'windshear',
): Buffer {
  const count = Buffer.alloc(4);
  count.writeInt32BE(topics.length, 0);
  return framed(
    Buffer.concat([
      requestHeader(API_KEY, VERSION, correlationId, clientId),
      count,
      ...topics.map((t) => classicString(t)),
      Buffer.from([0]), // allow_auto_topic_creation: false
    ]),
  );
}

/** Parses a Metadata v7 response frame (without its size). */
export function decodeMetadata(frame: Buffer): MetadataInfo {
  const r = new Reader(frame);
  r.int32(); // correlation id
  r.int32(); // throttle_time_ms
  const brokers = r.array((b) => {
    const id = b.int32();
    b.string(); // host
    b.int32(); // port
    b.string(); // rack
    return id;
  });
  r.string(); // cluster_id
  r.int32(); // controller_id: in KRaft a random live broker, not the quorum leader
  const partitions: MetadataInfo['partitions'] = [];
  r.array((t) => {
    const topicError = t.int16();
    const topic = t.string() ?? '';
    t.int8(); // is_internal
    const parts = t.array((p) => {
      p.int16(); // partition error (LEADER_NOT_AVAILABLE comes with leader -1)
      const partition = p.int32();
      const leader = p.int32();
      const leaderEpoch = p.int32();
      p.array((x) => x.int32()); // replicas
      const isr = p.array((x) => x.int32());
      p.array((x) => x.int32()); // offline replicas
      return { topic, partition, leader, leaderEpoch, isr };
    });
    if (topicError === 0) partitions.push(...parts);
  });
  return { brokers: brokers.sort((a, b) => a - b), partitions };
}

/** One Metadata round trip to `host:port`, bounded by `timeoutMs`. */
export function describeMetadata(
  host: string,
  port: number,
  topics: readonly string[],
  timeoutMs: number,
): Promise<MetadataInfo> {
  return roundTrip(host, port, encodeMetadata(1, topics), decodeMetadata, timeoutMs, 'Metadata');
}
