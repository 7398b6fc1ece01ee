import { describe, expect, it } from 'vitest';
import { classifyCommand, requestHash, reservationRequestSchema } from './reservation-command.ts';

const cmd = {
  type: 'reserve',
  reservationId: 'r1',
  idempotencyKey: 'k1',
  flightId: 'BA1-20261201',
  seats: 2,
  passenger: { name: 'Ada' },
  requestedAt: '2026-12-01T00:00:00.000Z',
};

describe('classifyCommand', () => {
  it('accepts a well-formed command', () => {
    const c = classifyCommand(JSON.stringify(cmd));
    expect(c.ok).toBe(true);
  });

  it('marks non-JSON, empty and mis-shaped records as poison with a reason', () => {
    for (const v of [
      null,
      '',
      '{oops',
      JSON.stringify({ ...cmd, seats: 0 }),
      JSON.stringify({ ...cmd, type: 'x' }),
    ]) {
      const c = classifyCommand(v);
      expect(c.ok, String(v)).toBe(false);
      if (!c.ok) expect(c.reason.length).toBeGreaterThan(0);
    }
  });
});

describe('reservationRequestSchema', () => {
  it('rejects unknown fields, bad seat counts and empty names', () => {
    const ok = { flightId: 'BA1-20261201', seats: 1, passenger: { name: 'Ada' } };
    expect(reservationRequestSchema.safeParse(ok).success).toBe(true);
    expect(reservationRequestSchema.safeParse({ ...ok, seats: 10 }).success).toBe(false);
    expect(reservationRequestSchema.safeParse({ ...ok, admin: true }).success).toBe(false);
    expect(reservationRequestSchema.safeParse({ ...ok, passenger: { name: ' ' } }).success).toBe(false);
  });
});

describe('requestHash', () => {
  it('changes with the request and not with key order', () => {
    const a = requestHash({ flightId: 'F', seats: 1, passenger: { name: 'A' } });
    expect(a).toBe(requestHash({ passenger: { name: 'A' }, seats: 1, flightId: 'F' }));
    expect(a).not.toBe(requestHash({ flightId: 'F', seats: 2, passenger: { name: 'A' } }));
  });
});
