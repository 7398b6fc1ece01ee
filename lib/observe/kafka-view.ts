import type { KafkaSample } from '../run-format.ts';
import { describeMetadata, type MetadataInfo } from './kafka-metadata.ts';
import { describeQuorum, type QuorumInfo } from './kafka-quorum.ts';

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** What one broker said within the deadline; null where it did not answer. */
export interface BrokerAnswer {
  address: string;
  metadata: MetadataInfo | null;
  quorum: QuorumInfo | null;
  errors: string[];
}

/**
 * The cluster as the brokers that answer see it, asking all of them at once. Each partition is
 * taken from the answer with the highest leader epoch, the controller from the DescribeQuorum
 * answer with the highest quorum epoch, and the registered brokers from the freshest metadata
 * answer (highest sum of leader epochs; the first to arrive on a tie). One lost broker therefore
 * costs nothing: the others answer in milliseconds, and a broker that vanished without a reset
 * is waited for only `graceMs` after the first answer, never the whole `timeoutMs`.
 */
export async function kafkaView(
  addresses: readonly { host: string; port: number }[],
  topics: readonly string[],
  timeoutMs: number,
  graceMs = 150,
): Promise<{ view: KafkaSample; answered: number } | { view: null; error: string }> {
  const answers = await answersWithin(
    addresses.map((a) => askBroker(a.host, a.port, topics, timeoutMs)),
    (a) => a.metadata !== null,
    graceMs,
  );
  const got = answers.filter((a): a is BrokerAnswer => a !== null);
  const view = mergeAnswers(got);
  if (!view) {
    const errors = addresses.map((a, i) => {
      const ans = answers[i];
      return `${a.host}:${a.port}: ${ans ? ans.errors.join('; ') || 'no metadata' : 'no answer in time'}`;
    });
    return { view: null, error: `no broker answered Metadata: ${errors.join(' | ')}` };
  }
  return { view, answered: got.filter((a) => a.metadata).length };
}

async function askBroker(
  host: string,
  port: number,
  topics: readonly string[],
  timeoutMs: number,
): Promise<BrokerAnswer> {
  const errors: string[] = [];
  const [metadata, quorum] = await Promise.all([
    describeMetadata(host, port, topics, timeoutMs).catch((e: unknown) => {
      errors.push(errText(e));
      return null;
    }),
    // NOT_LEADER_OR_FOLLOWER and friends: this broker cannot say; another will.
    describeQuorum(host, port, timeoutMs).catch((e: unknown) => {
      errors.push(errText(e));
      return null;
    }),
  ]);
  return { address: `${host}:${port}`, metadata, quorum, errors };
}

/**
 * Resolves with each call's result, or null for those still running, once every call has
 * settled or `graceMs` after the first result that satisfies `good`. The calls bound themselves.
 */
export function answersWithin<T>(
  calls: readonly Promise<T>[],
  good: (t: T) => boolean,
  graceMs: number,
): Promise<(T | null)[]> {
  return new Promise((resolve) => {
    const results: (T | null)[] = calls.map(() => null);
    let pending = calls.length;
    let timer: NodeJS.Timeout | null = null;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      resolve([...results]);
    };
    if (pending === 0) finish();
    calls.forEach((c, i) => {
      c.then(
        (v) => {
          results[i] = v;
          if (good(v) && !timer && !finished) timer = setTimeout(finish, graceMs);
        },
        () => {},
      ).finally(() => {
        if (--pending === 0) finish();
      });
    });
  });
}

/** The pure merge behind `kafkaView`; null when no answer carries metadata. */
export function mergeAnswers(answers: readonly BrokerAnswer[]): KafkaSample | null {
  const metas = answers.flatMap((a) => (a.metadata ? [a.metadata] : []));
  if (metas.length === 0) return null;
  const freshness = (m: MetadataInfo) => m.partitions.reduce((s, p) => s + Math.max(0, p.leaderEpoch), 0);
  const freshest = metas.reduce((best, m) => (freshness(m) > freshness(best) ? m : best));
  const byKey = new Map<string, MetadataInfo['partitions'][number]>();
  for (const m of metas) {
    for (const p of m.partitions) {
      const key = `${p.topic}\u0000${p.partition}`;
      const seen = byKey.get(key);
      if (!seen || p.leaderEpoch > seen.leaderEpoch) byKey.set(key, p);
    }
  }
  const partitions = [...byKey.values()]
    .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
    .map((p) => ({
      topic: p.topic,
      partition: p.partition,
      leader: p.leader >= 0 ? p.leader : null,
      isr: [...p.isr].sort((a, b) => a - b),
    }));
  const quorums = answers.flatMap((a) => (a.quorum && a.quorum.leaderId >= 0 ? [a.quorum] : []));
  const quorum = quorums.reduce<QuorumInfo | null>(
    (best, q) => (!best || q.leaderEpoch > best.leaderEpoch ? q : best),
    null,
  );
  return { controller: quorum?.leaderId ?? null, brokers: freshest.brokers, partitions };
}
