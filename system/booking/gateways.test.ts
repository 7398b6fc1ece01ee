import { describe, expect, it } from 'vitest';
import { AirlineGateway, PaymentGateway, pnrFor } from './gateways.ts';

describe('PaymentGateway', () => {
  it('declines the test token and by failure rate, else charges idempotently', async () => {
    const never = new PaymentGateway(0, 0, () => 0.5);
    expect(await never.charge('b1', 10, 'fail')).toMatchObject({ ok: false });
    const a = await never.charge('b1', 10, 'tok');
    const b = await never.charge('b1', 10, 'tok');
    expect(a).toEqual(b);
    expect(a.ok).toBe(true);
    expect(await new PaymentGateway(0.6, 0, () => 0.5).charge('b1', 10, 'tok')).toMatchObject({ ok: false });
  });
});

describe('pnrFor', () => {
  it('is six unambiguous characters, stable per booking', () => {
    expect(pnrFor('b1')).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
    expect(pnrFor('b1')).toBe(pnrFor('b1'));
    expect(pnrFor('b1')).not.toBe(pnrFor('b2'));
  });
});

describe('AirlineGateway', () => {
  it('fails with the configured probability', async () => {
    await expect(new AirlineGateway(0.5, 0, () => 0.1).confirm('b', 'f', 1)).rejects.toThrow(/unavailable/);
    await expect(new AirlineGateway(0.5, 0, () => 0.9).confirm('b', 'f', 1)).resolves.toMatchObject({
      flightStatus: 'scheduled',
    });
  });
});
