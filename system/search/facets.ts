import type { SearchResponse } from '../contracts.ts';

export type DepartureWindow = 'night' | 'morning' | 'afternoon' | 'evening';
export const WINDOWS: readonly DepartureWindow[] = ['night', 'morning', 'afternoon', 'evening'];

/** UTC minute of day of an ISO instant. */
export function minuteOfDay(iso: string): number {
  const d = new Date(iso);
  return d.getUTCHours() * 60 + d.getUTCMinutes();
}

/** night 00-06, morning 06-12, afternoon 12-18, evening 18-24 (UTC). */
export function departureWindow(iso: string): DepartureWindow {
  return WINDOWS[Math.floor(minuteOfDay(iso) / 360)]!;
}

export interface FacetFilters {
  airlines?: string[];
  stops?: number[];
  /** Minutes of day, inclusive lower and exclusive upper bound. */
  departAfterMin?: number;
  departBeforeMin?: number;
}

export interface Facetable {
  airline: string;
  stops: number;
  departure: string;
}

export function matchesFilters(f: Facetable, q: FacetFilters): boolean {
  if (q.airlines?.length && !q.airlines.includes(f.airline)) return false;
  if (q.stops?.length && !q.stops.includes(f.stops)) return false;
  const m = minuteOfDay(f.departure);
  if (q.departAfterMin !== undefined && m < q.departAfterMin) return false;
  if (q.departBeforeMin !== undefined && m >= q.departBeforeMin) return false;
  return true;
}

/**
 * Facet counts over the base result set (before facet filters, like OpenSearch's post_filter),
 * sorted by count descending then value; windows always in day order.
 */
export function computeFacets(items: Facetable[]): SearchResponse['facets'] {
  const airline = new Map<string, number>();
  const stops = new Map<number, number>();
  const win = new Map<DepartureWindow, number>();
  for (const f of items) {
    airline.set(f.airline, (airline.get(f.airline) ?? 0) + 1);
    stops.set(f.stops, (stops.get(f.stops) ?? 0) + 1);
    const w = departureWindow(f.departure);
    win.set(w, (win.get(w) ?? 0) + 1);
  }
  return {
    airline: [...airline]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)),
    stops: [...stops].map(([value, count]) => ({ value, count })).sort((a, b) => a.value - b.value),
    departureWindow: WINDOWS.filter((w) => win.has(w)).map((value) => ({
      value,
      count: win.get(value) ?? 0,
    })),
  };
}
