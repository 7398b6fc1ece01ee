import type { KafkaSample } from '../run-format.ts';
import { describeMetadata, type MetadataInfo } from './kafka-metadata.ts';
import { describeQuorum, type QuorumInfo } from './kafka-quorum.ts';

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

type Answer =
  | { kind: 'metadata'; metadata: MetadataInfo }
  | { kind: 'quorum'; quorum: QuorumInfo }
  | { kind: 'error'; error: string };

/**
 * The cluster as the brokers that answer see it, asking all of them at once. Each partition is
 * taken from the answer with the highest leader epoch, the controller from the DescribeQuorum
 * answer with the highest quorum epoch, and the registered brokers from the freshest metadata
 * answer (highest sum of leader epochs; the first to arrive on a tie). One lost broker therefore
 * costs nothing: the others answer in milliseconds, and a broker that vanished without a reset
 * is waited for only `graceMs` after the first metadata answer, never the whole `timeoutMs`.
 * DescribeQuorum is waited for at most `quorumGraceMs` more: a broker forwards it to the quorum
 * leader, so while a lost leader is being replaced no broker answers it and the controller
 * reads null.
 */
export async function kafkaView(
  addresses: readonly { host: string; port: number }[],
  topics: readonly string[],
  timeoutMs: number,
  graceMs = 150,
  quorumGraceMs = 400,
): Promise<{ view: KafkaSample } | { view: null; error: string }> {
  const asked =
    (what: string, a: { host: string; port: number }) =>
    (e: unknown): Answer => ({
      kind: 'error',
      error: `${what} ${a.host}:${a.port}: ${errText(e)}`,
    });
  const quorumCalls = addresses.map((a) =>
    describeQuorum(a.host, a.port, timeoutMs).then(
      (quorum): Answer => ({ kind: 'quorum', quorum }),
      asked('DescribeQuorum', a),
    ),
  );
  const metadataCalls = addresses.map((a) =>
    describeMetadata(a.host, a.port, topics, timeoutMs).then(
      (metadata): Answer => ({ kind: 'metadata', metadata }),
      asked('Metadata', a),
    ),
  );
  const answers = await answersWithin<Answer>(
    [...metadataCalls, ...quorumCalls],
    (a) => a.kind === 'metadata',
    graceMs,
  );
  let got = answers.filter((a): a is Answer => a !== null);
  // DescribeQuorum takes one hop more (to the leader) than Metadata: give it a little longer.
  if (got.some((a) => a.kind === 'metadata') && !got.some((a) => a.kind === 'quorum')) {
    const late = await answersWithin(quorumCalls, (a) => a.kind === 'quorum', 0, quorumGraceMs);
    got = [...got.filter((a) => a.kind !== 'error'), ...late.filter((a): a is Answer => a !== null)];
  }
  const view = mergeAnswers(
    got.flatMap((a) => (a.kind === 'metadata' ? [a.metadata] : [])),
    got.flatMap((a) => (a.kind === 'quorum' ? [a.quorum] : [])),
  );
  if (!view) {
    const errors = got.flatMap((a) => (a.kind === 'error' ? [a.error] : []));
    return { view: null, error: `no broker answered Metadata: ${errors.join(' | ') || 'none in time'}` };
  }
  return { view };
}

/**
 * Resolves with each call's result, or null for those still running, once every call has
 * settled, or `graceMs` after the first result that satisfies `good`, or `maxMs` after the start.
 */
export function answersWithin<T>(
  calls: readonly Promise<T>[],
  good: (t: T) => boolean,
  graceMs: number,
  maxMs = Number.POSITIVE_INFINITY,
): Promise<(T | null)[]> {
  return new Promise((resolve) => {
    const results: (T | null)[] = calls.map(() => null);
    let pending = calls.length;
    let timer: NodeJS.Timeout | null = null;
    let finished = false;
    const cap = Number.isFinite(maxMs) ? setTimeout(() => finish(), maxMs) : null;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      if (cap) clearTimeout(cap);
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
export function mergeAnswers(
  metas: readonly MetadataInfo[],
  quorumAnswers: readonly QuorumInfo[],
): KafkaSample | null {
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
  const quorums = quorumAnswers.filter((q) => q.leaderId >= 0);
  const quorum = quorums.reduce<QuorumInfo | null>(
    (best, q) => (!best || q.leaderEpoch > best.leaderEpoch ? q : best),
    null,
  );
  return { controller: quorum?.leaderId ?? null, brokers: freshest.brokers, partitions };
}
