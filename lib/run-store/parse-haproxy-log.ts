import type { LbTransition } from '../run-format.ts';

/**
 * `<pri>1 <timestamp> <host> haproxy <pid> - - Server <backend>/<server> is UP|DOWN, ...`: a health
 * change as HAProxy logs it in RFC 5424 (haproxy-config.ts). The `[WARNING] (pid) : Server ...`
 * copies HAProxy prints to stderr carry no time and are not read.
 */
const LINE =
  /^<\d+>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d) \S+ \S+ \S+ \S+ \S+ Server ([^/\s]+)\/(\S+) is (UP|DOWN)\b/;

/** Epoch ms (with the fraction below a millisecond) of an RFC 5424 timestamp's parts. */
function epochMs(seconds: string, fraction: string | undefined, zone: string): number {
  return Date.parse(`${seconds}${zone}`) + (fraction ? Number(`0.${fraction}`) * 1000 : 0);
}

/**
 * Server health changes in HAProxy's log, in log order, on the run's clock (`epochStart`: epoch ms
 * of the run's t = 0, runEpochStart). Other lines are skipped. Never throws.
 */
export function parseHaproxyLog(text: string, epochStart: number): LbTransition[] {
  const out: LbTransition[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, seconds, fraction, zone, backend, server, status] = m;
    const at = epochMs(seconds!, fraction, zone!);
    if (Number.isNaN(at)) continue;
    out.push({
      t: Math.round((at - epochStart) * 1000) / 1000,
      wall: `${seconds}${fraction ? `.${fraction}` : ''}${zone}`,
      backend: backend!,
      server: server!,
      status: status as LbTransition['status'],
    });
  }
  return out;
}
