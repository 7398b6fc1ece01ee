import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ReservationRequest } from '../contracts.ts';

export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');

const flightId = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'flight id');
export const passengerSchema = z
  .object({ name: z.string().trim().min(1).max(200), email: z.email().max(320).optional() })
  .strict();

/** POST /v1/reservations body (contracts.ts ReservationRequest). */
export const reservationRequestSchema = z
  .object({ flightId, seats: z.number().int().min(1).max(9), passenger: passengerSchema })
  .strict() satisfies z.ZodType<ReservationRequest>;

/** Command on `reservations.commands` (key: flightId, so one flight's commands stay in order). */
export const reservationCommandSchema = z.object({
  type: z.literal('reserve'),
  reservationId: z.string().min(1),
  idempotencyKey: idempotencyKeySchema,
  flightId,
  seats: z.number().int().min(1).max(9),
  passenger: passengerSchema,
  requestedAt: z.iso.datetime({ offset: true }),
});
export type ReservationCommand = z.output<typeof reservationCommandSchema>;

/** Fingerprint of a request body: a reused idempotency key with another body is refused. */
export function requestHash(r: ReservationRequest): string {
  return createHash('sha256')
    .update(JSON.stringify([r.flightId, r.seats, r.passenger.name, r.passenger.email ?? null]))
    .digest('hex')
    .slice(0, 32);
}

export type Classified = { ok: true; command: ReservationCommand } | { ok: false; reason: string };

/** A record the projector can never apply (not JSON, wrong shape) is poison: it goes to the DLQ. */
export function classifyCommand(value: string | null): Classified {
  if (!value) return { ok: false, reason: 'empty record' };
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  const r = reservationCommandSchema.safeParse(json);
  if (!r.success)
    return { ok: false, reason: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  return { ok: true, command: r.data };
}
