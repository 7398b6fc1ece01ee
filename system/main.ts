/**
 * Entry point of every service: `node --import tsx system/main.ts` with the ServiceEnv
 * (contracts.ts) in the environment; WS_SERVICE picks the service.
 */
import { startBooking } from './booking/booking-service.ts';
import { parseConfig, type ServiceConfig } from './config.ts';
import { startIngest } from './ingest/ingest-service.ts';
import type { ServiceContext, ServiceHandle } from './lib/service-runtime.ts';
import { runService } from './lib/service-runtime.ts';
import { startReservations } from './reservations/reservations-service.ts';
import { startSearchApi } from './search/search-service.ts';
import { startStream } from './stream/stream-service.ts';

const SERVICES: Record<ServiceConfig['WS_SERVICE'], (ctx: ServiceContext) => Promise<ServiceHandle>> = {
  'search-api': startSearchApi,
  reservations: startReservations,
  booking: startBooking,
  ingest: startIngest,
  stream: startStream,
};

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

let config: ServiceConfig;
try {
  config = parseConfig(process.env);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
await runService(config, SERVICES[config.WS_SERVICE]);
