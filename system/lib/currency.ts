/** Fixed conversion rates to EUR, used only to compare fares quoted in different currencies. */
export const EUR_RATES: Readonly<Record<string, number>> = { EUR: 1, GBP: 1.17, USD: 0.92, CHF: 1.05 };

/** EUR value rounded to cents; unknown currencies are null (the stream flags them). */
export function toEur(amount: number, currency: string): number | null {
  const r = EUR_RATES[currency];
  return r === undefined ? null : Math.round(amount * r * 100) / 100;
}
