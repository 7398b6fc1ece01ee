import { z } from 'zod';
import type { FareUpdate } from '../contracts.ts';

const id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');

/** Schema of the canonical FareUpdate (contracts.ts), as the push endpoint and every decoder check it. */
export const fareUpdateSchema = z.object({
  supplier: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and - only'),
  offerId: id,
  flightId: id,
  amount: z.number().finite().positive().max(1_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'ISO-4217 code, e.g. EUR'),
  version: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  eventTime: z.iso.datetime({ offset: true }),
  seatsAvailable: z.number().int().min(0).max(1000).optional(),
}) satisfies z.ZodType<FareUpdate>;

/** Kafka key of a fare event: one key per (supplier, offer), so its versions stay in order. */
export const fareKey = (u: Pick<FareUpdate, 'supplier' | 'offerId'>) => `${u.supplier}:${u.offerId}`;
