import { SUPPLIERS } from '../ingest/suppliers.ts';
import { toEur } from '../lib/currency.ts';
import { intBetween, pick, prng } from '../lib/prng.ts';

/** A generated, seeded catalogue: same seed and options, same catalogue. */
export interface Airport {
  code: string;
  city: string;
  country: string;
}
export interface Airline {
  code: string;
  name: string;
}
export interface Flight {
  flightId: string;
  airline: string;
  flightNumber: string;
  origin: string;
  destination: string;
  /** ISO-8601 UTC. */
  departure: string;
  arrival: string;
  stops: number;
  capacity: number;
}
export interface Fare {
  supplier: string;
  offerId: string;
  flightId: string;
  amount: number;
  currency: string;
  amountEur: number;
  version: number;
}
export interface Catalogue {
  airports: Airport[];
  airlines: Airline[];
  flights: Flight[];
  fares: Fare[];
}

export interface CatalogueOptions {
  seed: number;
  /** First day, `YYYY-MM-DD` (UTC). */
  startDate?: string;
  days?: number;
  /** Destinations per airport. */
  routesPerAirport?: number;
}

export const DEFAULT_START_DATE = '2026-12-01';

export const AIRPORTS: Airport[] = [
  ['LHR', 'London', 'GB'],
  ['JFK', 'New York', 'US'],
  ['CDG', 'Paris', 'FR'],
  ['FRA', 'Frankfurt', 'DE'],
  ['AMS', 'Amsterdam', 'NL'],
  ['MAD', 'Madrid', 'ES'],
  ['BCN', 'Barcelona', 'ES'],
  ['FCO', 'Rome', 'IT'],
  ['MUC', 'Munich', 'DE'],
  ['ZRH', 'Zurich', 'CH'],
  ['DUB', 'Dublin', 'IE'],
  ['LIS', 'Lisbon', 'PT'],
  ['CPH', 'Copenhagen', 'DK'],
  ['ARN', 'Stockholm', 'SE'],
  ['OSL', 'Oslo', 'NO'],
  ['HEL', 'Helsinki', 'FI'],
  ['VIE', 'Vienna', 'AT'],
  ['BRU', 'Brussels', 'BE'],
  ['ATH', 'Athens', 'GR'],
  ['IST', 'Istanbul', 'TR'],
  ['DXB', 'Dubai', 'AE'],
  ['DOH', 'Doha', 'QA'],
  ['SIN', 'Singapore', 'SG'],
  ['HKG', 'Hong Kong', 'HK'],
  ['NRT', 'Tokyo', 'JP'],
  ['SYD', 'Sydney', 'AU'],
  ['LAX', 'Los Angeles', 'US'],
  ['SFO', 'San Francisco', 'US'],
  ['ORD', 'Chicago', 'US'],
  ['ATL', 'Atlanta', 'US'],
  ['BOS', 'Boston', 'US'],
  ['MIA', 'Miami', 'US'],
  ['YYZ', 'Toronto', 'CA'],
  ['GRU', 'Sao Paulo', 'BR'],
  ['MEX', 'Mexico City', 'MX'],
  ['JNB', 'Johannesburg', 'ZA'],
  ['EDI', 'Edinburgh', 'GB'],
  ['MAN', 'Manchester', 'GB'],
  ['WAW', 'Warsaw', 'PL'],
  ['PRG', 'Prague', 'CZ'],
].map(([code, city, country]) => ({ code: code!, city: city!, country: country! }));

export const AIRLINES: Airline[] = [
  ['BA', 'British Airways'],
  ['AA', 'American Airlines'],
  ['AF', 'Air France'],
  ['LH', 'Lufthansa'],
  ['KL', 'KLM'],
  ['IB', 'Iberia'],
  ['AZ', 'ITA Airways'],
  ['LX', 'Swiss'],
  ['EI', 'Aer Lingus'],
  ['SK', 'SAS'],
  ['EK', 'Emirates'],
  ['QR', 'Qatar Airways'],
  ['SQ', 'Singapore Airlines'],
  ['DL', 'Delta'],
  ['UA', 'United'],
].map(([code, name]) => ({ code: code!, name: name! }));

/** Routes every catalogue contains (tests and load profiles rely on them). */
export const FIXED_ROUTES: [string, string][] = [
  ['LHR', 'JFK'],
  ['JFK', 'LHR'],
  ['CDG', 'FRA'],
  ['AMS', 'MAD'],
];

const ymd = (d: Date) => d.toISOString().slice(0, 10).replaceAll('-', '');

export function generateCatalogue(opts: CatalogueOptions): Catalogue {
  const rand = prng(opts.seed);
  const start = Date.parse(`${opts.startDate ?? DEFAULT_START_DATE}T00:00:00Z`);
  if (Number.isNaN(start)) throw new Error(`bad startDate ${opts.startDate}`);
  const days = opts.days ?? 30;
  const perAirport = opts.routesPerAirport ?? 6;

  const routes = new Map<string, [string, string]>();
  for (const r of FIXED_ROUTES) routes.set(r.join('-'), r);
  for (const a of AIRPORTS) {
    for (let i = 0; i < perAirport; i++) {
      const b = pick(rand, AIRPORTS);
      if (b.code !== a.code) routes.set(`${a.code}-${b.code}`, [a.code, b.code]);
    }
  }

  const flights: Flight[] = [];
  const fares: Fare[] = [];
  const usedNumbers = new Set<string>();
  let routeIndex = 0;
  for (const [origin, destination] of routes.values()) {
    routeIndex++;
    const busy = FIXED_ROUTES.some(([o, d]) => o === origin && d === destination);
    const durationMin = intBetween(rand, 60, 780);
    const basePrice = 40 + (durationMin * intBetween(rand, 18, 35)) / 100;
    const airlines = [pick(rand, AIRLINES), pick(rand, AIRLINES), pick(rand, AIRLINES)];
    const slots = busy ? 12 : intBetween(rand, 2, 6);
    const schedule = Array.from({ length: slots }, (_, k) => {
      const airline = airlines[k % airlines.length]!;
      let num = 100 + ((routeIndex * 37 + k * 11) % 8900);
      while (usedNumbers.has(`${airline.code}${num}`)) num = num + 1 > 9999 ? 100 : num + 1;
      usedNumbers.add(`${airline.code}${num}`);
      return {
        airline: airline.code,
        flightNumber: `${airline.code}${num}`,
        minuteOfDay: intBetween(rand, 0, 95) * 15,
        stops: rand() < 0.7 ? 0 : rand() < 0.85 ? 1 : 2,
        capacity: pick(rand, [120, 150, 180, 220, 300]),
      };
    });
    for (let day = 0; day < days; day++) {
      const dayStart = start + day * 86_400_000;
      for (const s of schedule) {
        const dep = new Date(dayStart + s.minuteOfDay * 60_000);
        const arr = new Date(dep.getTime() + (durationMin + s.stops * 95) * 60_000);
        const flightId = `${s.flightNumber}-${ymd(dep)}`;
        flights.push({
          flightId,
          airline: s.airline,
          flightNumber: s.flightNumber,
          origin,
          destination,
          departure: dep.toISOString(),
          arrival: arr.toISOString(),
          stops: s.stops,
          capacity: s.capacity,
        });
        const offers = intBetween(rand, 1, 3);
        const first = intBetween(rand, 0, SUPPLIERS.length - 1);
        for (let o = 0; o < offers; o++) {
          const sup = SUPPLIERS[(first + o * 5) % SUPPLIERS.length]!;
          const eur = basePrice * (0.8 + rand() * 0.6) * (s.stops > 0 ? 0.85 : 1);
          const amount = Math.round((eur / (toEur(1, sup.currency) ?? 1)) * 100) / 100;
          fares.push({
            supplier: sup.name,
            offerId: `${sup.name}-${flightId}`,
            flightId,
            amount,
            currency: sup.currency,
            amountEur: toEur(amount, sup.currency) ?? amount,
            version: 1,
          });
        }
      }
    }
  }
  return { airports: AIRPORTS, airlines: AIRLINES, flights, fares };
}
