import { type Checker, unknown } from './checker.ts';

/** `overbooking`: seats sold beyond capacity, summed over the flights of readback.inventory. */
export const overbooking: Checker = (run) => {
  const inv = run.readback?.inventory;
  if (!run.readback) return unknown('readback.json is missing: inventory was not read back');
  if (!inv) return unknown('readback.json has no inventory');
  if (inv.length === 0) return unknown('readback.json lists no flights');
  const over = inv.filter((f) => f.sold > f.capacity).map((f) => ({ ...f, over: f.sold - f.capacity }));
  const measured = over.reduce((n, f) => n + f.over, 0);
  return {
    measured,
    detail: `${measured} seats sold beyond capacity on ${over.length} of ${inv.length} flights`,
    evidence: { overbooked: over },
  };
};
