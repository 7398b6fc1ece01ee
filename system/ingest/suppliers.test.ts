import { describe, expect, it } from 'vitest';
import type { FareUpdate } from '../contracts.ts';
import { SUPPLIER_BY_NAME, SUPPLIERS } from './suppliers.ts';

const update = (supplier: string, currency: string, seats?: number): FareUpdate => ({
  supplier,
  offerId: `${supplier}-BA117-20261201`,
  flightId: 'BA117-20261201',
  amount: 412.37,
  currency,
  version: 1_767_225_600_123,
  eventTime: '2026-12-01T08:15:30.000Z',
  ...(seats !== undefined ? { seatsAvailable: seats } : {}),
});

describe('supplier formats', () => {
  it('has 15 suppliers with distinct names and formats', () => {
    expect(SUPPLIERS).toHaveLength(15);
    expect(new Set(SUPPLIERS.map((s) => s.name)).size).toBe(15);
    expect(new Set(SUPPLIERS.map((s) => s.format)).size).toBe(15);
  });

  for (const s of SUPPLIERS) {
    it(`${s.name}: round-trips with and without availability`, () => {
      for (const seats of [undefined, 0, 7]) {
        const u = update(s.name, s.currency, seats);
        const raw = s.encode(u);
        expect(raw).not.toBe(JSON.stringify(u));
        expect(s.decode(raw)).toEqual(u);
      }
    });

    it(`${s.name}: rejects a payload in another format`, () => {
      const other = SUPPLIERS[(SUPPLIERS.indexOf(s) + 1) % SUPPLIERS.length]!;
      expect(() => s.decode(other.encode(update(other.name, other.currency)))).toThrow();
    });
  }

  it('converts units: cents, decimal commas, exponents and epoch seconds', () => {
    expect(SUPPLIER_BY_NAME.get('aerocsv')!.decode('o1,F1-20261201,12345,GBP,3,1764577200000,').amount).toBe(
      123.45,
    );
    const euro = SUPPLIER_BY_NAME.get('eurojson')!.decode(
      '{"OFFER":"o1","FLIGHT":"F1","PRICE":"99,90","CURRENCY":"EUR","VERSION":"2","TIMESTAMP":"2026-12-01T00:00:00Z","SEATS":""}',
    );
    expect(euro).toMatchObject({ amount: 99.9, version: 2 });
    expect(euro.seatsAvailable).toBeUndefined();
    const cents = SUPPLIER_BY_NAME.get('centsjson')!.decode(
      '{"offer_id":"o","flight_id":"f","price_cents":5,"currency_code":"EUR","seq":1,"event_ts":1764547200}',
    );
    expect(cents).toMatchObject({ amount: 0.05, eventTime: '2025-12-01T00:00:00.000Z' });
  });

  it('rejects invalid values after conversion', () => {
    const s = SUPPLIER_BY_NAME.get('kvfare')!;
    expect(() => s.decode('offer=o;flight=f;amt=-3;cur=CHF;ver=1;t=2026-12-01T00:00:00Z')).toThrow();
    expect(() => s.decode('offer=o;flight=f;amt=3;cur=chf;ver=1;t=2026-12-01T00:00:00Z')).toThrow();
  });
});
