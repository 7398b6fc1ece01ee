import type { FareUpdate } from '../contracts.ts';
import { fareUpdateSchema } from './fare-update.ts';

/**
 * The 15 simulated suppliers. Each speaks its own payload format (field names, units, number
 * formats, envelopes); `encode` renders a canonical update in it and `decode` converts a payload
 * back to a validated canonical FareUpdate (throws on anything malformed).
 */
export interface SupplierSpec {
  name: string;
  /** Currency this supplier quotes in. */
  currency: string;
  format: string;
  encode(u: FareUpdate): string;
  decode(raw: string): FareUpdate;
}

type Fields = Omit<FareUpdate, 'supplier'>;

const cents = (amount: number) => Math.round(amount * 100);
const fromCents = (c: number) => c / 100;
const epochSec = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const isoFromSec = (s: number) => new Date(s * 1000).toISOString();
const isoFromMs = (ms: number) => new Date(ms).toISOString();
const optInt = (s: string | undefined | null): number | undefined =>
  s === undefined || s === null || s === '' ? undefined : Number(s);

function obj(raw: string): Record<string, unknown> {
  const v: unknown = JSON.parse(raw);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected a JSON object');
  return v as Record<string, unknown>;
}
function field(o: unknown, ...path: string[]): unknown {
  let cur: unknown = o;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}
const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

function canonical(supplier: string, f: Fields): FareUpdate {
  const u: FareUpdate = {
    supplier,
    offerId: f.offerId,
    flightId: f.flightId,
    amount: f.amount,
    currency: f.currency,
    version: f.version,
    eventTime: f.eventTime,
  };
  if (f.seatsAvailable !== undefined) u.seatsAvailable = f.seatsAvailable;
  return fareUpdateSchema.parse(u);
}

function kvParse(raw: string, pairSep: string, kvSep: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of raw.split(pairSep)) {
    if (!part.trim()) continue;
    const i = part.indexOf(kvSep);
    if (i < 0) throw new Error(`malformed pair ${part}`);
    m.set(part.slice(0, i).trim(), part.slice(i + kvSep.length).trim());
  }
  return m;
}

function def(
  name: string,
  currency: string,
  format: string,
  encode: (u: FareUpdate) => string,
  decode: (raw: string) => Fields,
): SupplierSpec {
  return { name, currency, format, encode, decode: (raw) => canonical(name, decode(raw)) };
}

const xmlAttr = (s: string, a: string) => new RegExp(`${a}="([^"]*)"`).exec(s)?.[1];
const xmlTag = (s: string, t: string) => new RegExp(`<${t}>([^<]*)</${t}>`).exec(s)?.[1];
const pad = (s: string | number, n: number) => String(s).padEnd(n, ' ');
const FIXED = [40, 40, 12, 3, 16, 12, 5] as const;

export const SUPPLIERS: readonly SupplierSpec[] = [
  def(
    'skyjson',
    'EUR',
    'nested JSON, decimal string',
    (u) =>
      JSON.stringify({
        offer: { id: u.offerId, flight: { ref: u.flightId } },
        price: { total: u.amount.toFixed(2), ccy: u.currency },
        meta: { rev: u.version, ts: u.eventTime },
        ...(u.seatsAvailable !== undefined ? { seats: u.seatsAvailable } : {}),
      }),
    (raw) => {
      const o = obj(raw);
      return {
        offerId: str(field(o, 'offer', 'id')),
        flightId: str(field(o, 'offer', 'flight', 'ref')),
        amount: Number(field(o, 'price', 'total')),
        currency: str(field(o, 'price', 'ccy')),
        version: Number(field(o, 'meta', 'rev')),
        eventTime: str(field(o, 'meta', 'ts')),
        seatsAvailable: optInt(str(field(o, 'seats'))),
      };
    },
  ),
  def(
    'aerocsv',
    'GBP',
    'CSV: offer,flight,cents,currency,version,epochMs,seats',
    (u) =>
      [
        u.offerId,
        u.flightId,
        cents(u.amount),
        u.currency,
        u.version,
        Date.parse(u.eventTime),
        u.seatsAvailable ?? '',
      ].join(','),
    (raw) => {
      const c = raw.trim().split(',');
      if (c.length !== 7) throw new Error('expected 7 CSV columns');
      return {
        offerId: c[0]!,
        flightId: c[1]!,
        amount: fromCents(Number(c[2])),
        currency: c[3]!,
        version: Number(c[4]),
        eventTime: isoFromMs(Number(c[5])),
        seatsAvailable: optInt(c[6]),
      };
    },
  ),
  def(
    'flyxml',
    'EUR',
    'XML attributes and elements',
    (u) =>
      `<fare offer="${u.offerId}" flight="${u.flightId}" currency="${u.currency}" version="${u.version}" at="${u.eventTime}"><amount>${u.amount.toFixed(2)}</amount>${u.seatsAvailable !== undefined ? `<seats>${u.seatsAvailable}</seats>` : ''}</fare>`,
    (raw) => {
      if (!raw.startsWith('<fare ')) throw new Error('expected <fare> element');
      return {
        offerId: str(xmlAttr(raw, 'offer')),
        flightId: str(xmlAttr(raw, 'flight')),
        currency: str(xmlAttr(raw, 'currency')),
        version: Number(xmlAttr(raw, 'version')),
        eventTime: str(xmlAttr(raw, 'at')),
        amount: Number(xmlTag(raw, 'amount')),
        seatsAvailable: optInt(xmlTag(raw, 'seats')),
      };
    },
  ),
  def(
    'jetpipe',
    'USD',
    'pipe-delimited record with v-prefixed version',
    (u) =>
      `FARE|${u.flightId}|${u.offerId}|${u.currency}|${cents(u.amount)}|v${u.version}|${u.eventTime}|${u.seatsAvailable ?? '-'}`,
    (raw) => {
      const c = raw.split('|');
      if (c[0] !== 'FARE' || c.length !== 8 || !c[5]?.startsWith('v')) throw new Error('not a FARE record');
      return {
        flightId: c[1]!,
        offerId: c[2]!,
        currency: c[3]!,
        amount: fromCents(Number(c[4])),
        version: Number(c[5].slice(1)),
        eventTime: c[6]!,
        seatsAvailable: c[7] === '-' ? undefined : optInt(c[7]),
      };
    },
  ),
  def(
    'centsjson',
    'EUR',
    'flat snake_case JSON, cents, epoch seconds',
    (u) =>
      JSON.stringify({
        offer_id: u.offerId,
        flight_id: u.flightId,
        price_cents: cents(u.amount),
        currency_code: u.currency,
        seq: u.version,
        event_ts: epochSec(u.eventTime),
        seats_left: u.seatsAvailable ?? null,
      }),
    (raw) => {
      const o = obj(raw);
      return {
        offerId: str(o.offer_id),
        flightId: str(o.flight_id),
        amount: fromCents(Number(o.price_cents)),
        currency: str(o.currency_code),
        version: Number(o.seq),
        eventTime: isoFromSec(Number(o.event_ts)),
        seatsAvailable: optInt(str(o.seats_left)),
      };
    },
  ),
  def(
    'kvfare',
    'CHF',
    'semicolon key=value pairs',
    (u) =>
      `offer=${u.offerId};flight=${u.flightId};amt=${u.amount.toFixed(2)};cur=${u.currency};ver=${u.version};t=${u.eventTime}${u.seatsAvailable !== undefined ? `;avail=${u.seatsAvailable}` : ''}`,
    (raw) => {
      const m = kvParse(raw, ';', '=');
      return {
        offerId: str(m.get('offer')),
        flightId: str(m.get('flight')),
        amount: Number(m.get('amt')),
        currency: str(m.get('cur')),
        version: Number(m.get('ver')),
        eventTime: str(m.get('t')),
        seatsAvailable: optInt(m.get('avail')),
      };
    },
  ),
  def(
    'arrayjson',
    'EUR',
    'positional JSON array',
    (u) =>
      JSON.stringify([
        u.offerId,
        u.flightId,
        u.amount,
        u.currency,
        u.version,
        Date.parse(u.eventTime),
        u.seatsAvailable ?? null,
      ]),
    (raw) => {
      const a: unknown = JSON.parse(raw);
      if (!Array.isArray(a) || a.length !== 7) throw new Error('expected a 7-element array');
      return {
        offerId: str(a[0]),
        flightId: str(a[1]),
        amount: Number(a[2]),
        currency: str(a[3]),
        version: Number(a[4]),
        eventTime: isoFromMs(Number(a[5])),
        seatsAvailable: a[6] === null ? undefined : Number(a[6]),
      };
    },
  ),
  def(
    'edifare',
    'EUR',
    'EDIFACT-like segments, amount as integer:decimals',
    (u) =>
      `UNH+${u.offerId}'FLT+${u.flightId}'PRI+${cents(u.amount)}:2:${u.currency}'VER+${u.version}'DTM+${u.eventTime}'${u.seatsAvailable !== undefined ? `SEA+${u.seatsAvailable}'` : ''}`,
    (raw) => {
      const seg = new Map<string, string>();
      for (const s of raw.split("'")) {
        if (!s) continue;
        const i = s.indexOf('+');
        if (i < 0) throw new Error(`bad segment ${s}`);
        seg.set(s.slice(0, i), s.slice(i + 1));
      }
      const [int, decimals, currency] = str(seg.get('PRI')).split(':');
      return {
        offerId: str(seg.get('UNH')),
        flightId: str(seg.get('FLT')),
        amount: Number(int) / 10 ** Number(decimals),
        currency: str(currency),
        version: Number(seg.get('VER')),
        eventTime: str(seg.get('DTM')),
        seatsAvailable: optInt(seg.get('SEA')),
      };
    },
  ),
  def(
    'b64json',
    'USD',
    'base64-wrapped terse JSON',
    (u) =>
      Buffer.from(
        JSON.stringify({
          o: u.offerId,
          f: u.flightId,
          p: u.amount,
          c: u.currency,
          v: u.version,
          t: u.eventTime,
          ...(u.seatsAvailable !== undefined ? { s: u.seatsAvailable } : {}),
        }),
      ).toString('base64'),
    (raw) => {
      const o = obj(Buffer.from(raw, 'base64').toString('utf8'));
      return {
        offerId: str(o.o),
        flightId: str(o.f),
        amount: Number(o.p),
        currency: str(o.c),
        version: Number(o.v),
        eventTime: str(o.t),
        seatsAvailable: o.s === undefined ? undefined : Number(o.s),
      };
    },
  ),
  def(
    'eurojson',
    'EUR',
    'upper-case keys, decimal comma',
    (u) =>
      JSON.stringify({
        OFFER: u.offerId,
        FLIGHT: u.flightId,
        PRICE: u.amount.toFixed(2).replace('.', ','),
        CURRENCY: u.currency,
        VERSION: String(u.version),
        TIMESTAMP: u.eventTime,
        SEATS: u.seatsAvailable === undefined ? '' : String(u.seatsAvailable),
      }),
    (raw) => {
      const o = obj(raw);
      return {
        offerId: str(o.OFFER),
        flightId: str(o.FLIGHT),
        amount: Number(str(o.PRICE).replace(',', '.')),
        currency: str(o.CURRENCY),
        version: Number(o.VERSION),
        eventTime: str(o.TIMESTAMP),
        seatsAvailable: optInt(str(o.SEATS)),
      };
    },
  ),
  def(
    'tabfare',
    'GBP',
    'tab-separated, flight first',
    (u) =>
      [
        u.flightId,
        u.offerId,
        u.amount.toFixed(2),
        u.currency,
        u.version,
        u.eventTime,
        u.seatsAvailable ?? '',
      ].join('\t'),
    (raw) => {
      const c = raw.split('\t');
      if (c.length !== 7) throw new Error('expected 7 tab-separated columns');
      return {
        flightId: c[0]!,
        offerId: c[1]!,
        amount: Number(c[2]),
        currency: c[3]!,
        version: Number(c[4]),
        eventTime: c[5]!,
        seatsAvailable: optInt(c[6]),
      };
    },
  ),
  def(
    'qsfare',
    'EUR',
    'URL-encoded query string',
    (u) => {
      const p = new URLSearchParams({
        offerId: u.offerId,
        flightId: u.flightId,
        price: u.amount.toFixed(2),
        currency: u.currency,
        version: String(u.version),
        ts: u.eventTime,
      });
      if (u.seatsAvailable !== undefined) p.set('seats', String(u.seatsAvailable));
      return p.toString();
    },
    (raw) => {
      const p = new URLSearchParams(raw);
      return {
        offerId: str(p.get('offerId')),
        flightId: str(p.get('flightId')),
        amount: Number(p.get('price')),
        currency: str(p.get('currency')),
        version: Number(p.get('version')),
        eventTime: str(p.get('ts')),
        seatsAvailable: optInt(p.get('seats')),
      };
    },
  ),
  def(
    'jsonapi',
    'USD',
    'JSON:API envelope with attributes',
    (u) =>
      JSON.stringify({
        data: {
          type: 'fare',
          id: u.offerId,
          attributes: {
            amount: { value: cents(u.amount), exponent: 2, currency: u.currency },
            revision: u.version,
            observedAt: u.eventTime,
            ...(u.seatsAvailable !== undefined ? { availability: { seats: u.seatsAvailable } } : {}),
          },
          relationships: { flight: { data: { type: 'flight', id: u.flightId } } },
        },
      }),
    (raw) => {
      const o = obj(raw);
      if (field(o, 'data', 'type') !== 'fare') throw new Error('expected data.type fare');
      const a = field(o, 'data', 'attributes');
      const seats = field(a, 'availability', 'seats');
      return {
        offerId: str(field(o, 'data', 'id')),
        flightId: str(field(o, 'data', 'relationships', 'flight', 'data', 'id')),
        amount: Number(field(a, 'amount', 'value')) / 10 ** Number(field(a, 'amount', 'exponent')),
        currency: str(field(a, 'amount', 'currency')),
        version: Number(field(a, 'revision')),
        eventTime: str(field(a, 'observedAt')),
        seatsAvailable: seats === undefined ? undefined : Number(seats),
      };
    },
  ),
  def(
    'fixedwidth',
    'EUR',
    'fixed-width columns 40/40/12/3/16/12/5, cents, epoch seconds',
    (u) =>
      [
        pad(u.offerId, FIXED[0]),
        pad(u.flightId, FIXED[1]),
        pad(cents(u.amount), FIXED[2]),
        u.currency,
        pad(u.version, FIXED[4]),
        pad(epochSec(u.eventTime), FIXED[5]),
        pad(u.seatsAvailable ?? '', FIXED[6]),
      ].join(''),
    (raw) => {
      const total = FIXED.reduce((a, b) => a + b, 0);
      if (raw.length !== total) throw new Error(`expected ${total} characters, got ${raw.length}`);
      const cols: string[] = [];
      let at = 0;
      for (const w of FIXED) {
        cols.push(raw.slice(at, at + w).trim());
        at += w;
      }
      return {
        offerId: cols[0]!,
        flightId: cols[1]!,
        amount: fromCents(Number(cols[2])),
        currency: cols[3]!,
        version: Number(cols[4]),
        eventTime: isoFromSec(Number(cols[5])),
        seatsAvailable: optInt(cols[6]),
      };
    },
  ),
  def(
    'yamlfare',
    'GBP',
    'YAML-like lines, price with currency suffix',
    (u) =>
      [
        `offer: ${u.offerId}`,
        `flight: ${u.flightId}`,
        `price: ${u.amount.toFixed(2)} ${u.currency}`,
        `version: ${u.version}`,
        `time: ${u.eventTime}`,
        ...(u.seatsAvailable !== undefined ? [`seats: ${u.seatsAvailable}`] : []),
      ].join('\n'),
    (raw) => {
      const m = kvParse(raw, '\n', ': ');
      const [amount, currency] = str(m.get('price')).split(' ');
      return {
        offerId: str(m.get('offer')),
        flightId: str(m.get('flight')),
        amount: Number(amount),
        currency: str(currency),
        version: Number(m.get('version')),
        eventTime: str(m.get('time')),
        seatsAvailable: optInt(m.get('seats')),
      };
    },
  ),
];

export const SUPPLIER_BY_NAME = new Map(SUPPLIERS.map((s) => [s.name, s]));
