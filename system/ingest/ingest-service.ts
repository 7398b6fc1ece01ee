import { z } from 'zod';
import type { FareUpdate } from '../contracts.ts';
import { ROUTES, TOPICS } from '../contracts.ts';
import { keepTrying, unavailable, withDeadline } from '../lib/background.ts';
import { kafkaFrom, pgFrom } from '../lib/clients.ts';
import { HttpError, parseInput } from '../lib/http-error.ts';
import type { OutMessage } from '../lib/kafka.ts';
import { prng } from '../lib/prng.ts';
import type { ServiceContext, ServiceHandle } from '../lib/service-runtime.ts';
import { fareKey, fareUpdateSchema } from './fare-update.ts';
import { nextUpdate, type Offer, RatePacer } from './feed.ts';
import { SUPPLIER_BY_NAME, SUPPLIERS } from './suppliers.ts';

const TICK_MS = 100;
/** Feed messages awaiting acknowledgement beyond which the feed skips ticks (backpressure). */
const MAX_IN_FLIGHT = 5_000;
const ACK_DEADLINE_MS = 10_000;

const feedRateBody = z.object({ ratePerSec: z.number().min(0).max(100_000) }).strict();
const supplierParam = z.object({ supplier: z.string().regex(/^[a-z0-9-]{1,64}$/, 'supplier name') });

/** Canonical message on `supplier.raw`: key `supplier:offerId`, event time and version in headers too. */
export function toRawMessage(u: FareUpdate, format: string): OutMessage {
  return {
    key: fareKey(u),
    value: JSON.stringify(u),
    headers: {
      supplier: u.supplier,
      version: String(u.version),
      eventTime: u.eventTime,
      ingestedAt: new Date().toISOString(),
      format,
    },
  };
}

/**
 * ingest: the 15 simulated supplier feeds (each payload converted from its own format to a
 * canonical FareUpdate) at INGEST_RATE messages/s in total, plus the push endpoint; both produce
 * idempotently (acks=all) to `supplier.raw`.
 */
export async function startIngest(ctx: ServiceContext): Promise<ServiceHandle> {
  const { app, log, metrics, config } = ctx;
  const kafka = kafkaFrom(ctx);
  const producer = kafka.idempotentProducer(ctx.config.KAFKA_PRODUCER_ACKS === '1' ? 1 : -1);
  const admin = kafka.admin();
  const pg = pgFrom(ctx, 2);
  let stopped = false;
  void keepTrying(
    'kafka-producer',
    () => producer.connect(),
    log,
    () => stopped,
  );

  const offers: Offer[] = [];
  const loadOffers = async () => {
    const r = await pg.query<{
      supplier: string;
      offer_id: string;
      flight_id: string;
      amount: string;
      version: string;
    }>('SELECT supplier, offer_id, flight_id, amount, version FROM fares WHERE supplier = ANY($1)', [
      SUPPLIERS.map((s) => s.name),
    ]);
    for (const row of r.rows) {
      const supplier = SUPPLIER_BY_NAME.get(row.supplier);
      if (supplier) {
        offers.push({
          supplier,
          offerId: row.offer_id,
          flightId: row.flight_id,
          amount: Number(row.amount),
          version: Number(row.version),
        });
      }
    }
    if (offers.length === 0)
      throw new Error('no supplier offers in the fares table yet (catalogue not loaded?)');
    log.info({ offers: offers.length }, 'feed offers loaded');
  };
  void keepTrying('feed-offers', loadOffers, log, () => stopped);

  const pacer = new RatePacer(config.INGEST_RATE, Date.now());
  const rand = prng(
    config.CATALOGUE_SEED + Number.parseInt(config.WS_INSTANCE.replace(/\D/g, '') || '0', 10) + Date.now(),
  );
  let inFlight = 0;
  const topic = TOPICS.supplierRaw;

  const tick = () => {
    const n = pacer.due(Date.now());
    if (n === 0 || offers.length === 0 || !producer.isConnected()) return;
    if (inFlight > MAX_IN_FLIGHT) {
      metrics.messages.inc({ topic: topic.name, outcome: 'skipped' }, n);
      return;
    }
    const now = Date.now();
    for (let i = 0; i < n; i++) {
      const offer = offers[Math.floor(rand() * offers.length)]!;
      const canonical = nextUpdate(offer, now, rand);
      let msg: OutMessage;
      try {
        // The adapter receives the supplier's native payload and converts it back to canonical.
        const converted = offer.supplier.decode(offer.supplier.encode(canonical));
        msg = toRawMessage(converted, offer.supplier.format);
      } catch (err) {
        metrics.messages.inc({ topic: topic.name, outcome: 'invalid' });
        log.warn({ supplier: offer.supplier.name, err: String(err) }, 'supplier payload rejected');
        continue;
      }
      inFlight++;
      producer.send(topic.name, topic.partitions, msg).then(
        () => {
          inFlight--;
          metrics.messages.inc({ topic: topic.name, outcome: 'produced' });
        },
        (err: unknown) => {
          inFlight--;
          metrics.messages.inc({ topic: topic.name, outcome: 'failed' });
          log.debug({ err: String(err) }, 'feed produce failed');
        },
      );
    }
  };
  // The feed ticks only while its rate is above 0: an idle ingest does nothing.
  let timer: NodeJS.Timeout | null = null;
  const setRate = (ratePerSec: number) => {
    pacer.setRate(ratePerSec);
    if (ratePerSec > 0 && !timer && !stopped) {
      pacer.restart(Date.now());
      timer = setInterval(tick, TICK_MS);
    } else if (ratePerSec === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
  setRate(config.INGEST_RATE);

  app.post(ROUTES.supplierPush, async (req, reply) => {
    const { supplier } = parseInput(supplierParam, req.params, 'params');
    const u = parseInput(fareUpdateSchema, req.body, 'body');
    if (u.supplier !== supplier) {
      throw new HttpError(
        400,
        'bad_request',
        `body.supplier ${u.supplier} does not match path supplier ${supplier}`,
      );
    }
    let ack: Awaited<ReturnType<typeof producer.send>>;
    try {
      ack = await withDeadline(
        producer.send(topic.name, topic.partitions, toRawMessage(u, 'push')),
        ACK_DEADLINE_MS,
        'fare update',
      );
    } catch (err) {
      throw unavailable(err, 'supplier.raw unavailable');
    }
    metrics.messages.inc({ topic: topic.name, outcome: 'produced' });
    return reply
      .code(202)
      .send({ status: 'accepted', key: fareKey(u), partition: ack.partition, offset: ack.offset });
  });

  app.get('/v1/admin/feed-rate', async () => ({
    ratePerSec: pacer.ratePerSec,
    offers: offers.length,
    inFlight,
  }));
  app.post('/v1/admin/feed-rate', async (req) => {
    const { ratePerSec } = parseInput(feedRateBody, req.body, 'body');
    setRate(ratePerSec);
    log.info({ ratePerSec }, 'feed rate changed');
    return { ratePerSec };
  });

  return {
    ready: {
      kafka: async () => {
        if (!producer.isConnected()) throw new Error('producer not connected');
        await admin.listTopics();
      },
    },
    stopIntake: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
    },
    close: async () => {
      await producer.disconnect().catch(() => undefined);
      await Promise.allSettled([admin.disconnect(), pg.end()]);
    },
  };
}
