import type { FlightInfo } from './normalize.ts';

export interface FlightRow extends FlightInfo {
  flightId: string;
}

/**
 * The catalogue's route and airline per flight, for enrichment. Loaded whole at start (one query,
 * so batches do not wait on lookups while it warms), then kept: flights do not change. An id it
 * does not know is looked up in the batch that needs it; an id the catalogue does not know either
 * is remembered as unknown for `unknownTtlMs`, then asked again (a flight added later is found).
 */
export class FlightDirectory {
  private readonly known = new Map<string, FlightInfo>();
  private readonly unknown = new Map<string, number>();

  constructor(
    /** Rows of the given flights, or of every flight when `ids` is null. */
    private readonly load: (ids: string[] | null) => Promise<FlightRow[]>,
    private readonly unknownTtlMs = 60_000,
    private readonly capacity = 500_000,
  ) {}

  get size(): number {
    return this.known.size;
  }

  /** Loads every flight. */
  async preload(): Promise<void> {
    this.add(await this.load(null));
  }

  /** Looks up the ids neither known nor recently found unknown, in one query. */
  async resolve(ids: Iterable<string>, now = Date.now()): Promise<void> {
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      if (this.known.has(id)) continue;
      const until = this.unknown.get(id);
      if (until !== undefined && until > now) continue;
      missing.push(id);
    }
    if (missing.length === 0) return;
    const rows = await this.load(missing);
    this.add(rows);
    for (const id of missing) if (!this.known.has(id)) this.unknown.set(id, now + this.unknownTtlMs);
    if (this.unknown.size > this.capacity) this.unknown.clear();
  }

  get(id: string): FlightInfo | null {
    return this.known.get(id) ?? null;
  }

  private add(rows: FlightRow[]): void {
    if (this.known.size + rows.length > this.capacity) this.known.clear();
    for (const r of rows) {
      this.known.set(r.flightId, { airline: r.airline, origin: r.origin, destination: r.destination });
      this.unknown.delete(r.flightId);
    }
  }
}
