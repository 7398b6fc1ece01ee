/**
 * Consumer lag in seconds from offsets alone. Kafka does not say when a record was produced
 * without reading it, so the tracker remembers, per partition, when each log-end offset was first
 * observed. The oldest unconsumed record is the one at the committed offset (the next to read); it
 * existed from the first observation whose log end was > committed. Its age is the lag:
 *   lagSec(now) = now − firstSeen(logEnd >= committed + 1), 0 when committed >= logEnd.
 * Observations are ~1 s apart, so the age is a lower bound that is short by at most one interval;
 * a backlog older than the first observation is dated at the first observation.
 */
export class LagTracker {
  /** Per partition key: log-end offsets in increasing order with the time each was first seen (ms). */
  private readonly seen = new Map<string, { end: number; atMs: number }[]>();

  /** Records one observation of a partition and returns its lag. Offsets as numbers; `nowMs` monotonic. */
  observe(
    key: string,
    nowMs: number,
    logEnd: number,
    committed: number,
  ): { lagOffsets: number; lagSec: number } {
    let marks = this.seen.get(key);
    if (!marks) {
      marks = [];
      this.seen.set(key, marks);
    }
    const last = marks[marks.length - 1];
    if (!last || logEnd > last.end) marks.push({ end: logEnd, atMs: nowMs });
    else if (logEnd < last.end) {
      // Log truncated or recreated (unclean election, topic re-created): start again.
      marks.length = 0;
      marks.push({ end: logEnd, atMs: nowMs });
    }
    // A group that never committed has consumed nothing: everything retained is unconsumed.
    const from = Math.max(committed, 0);
    const lagOffsets = Math.max(0, logEnd - from);
    if (lagOffsets === 0) {
      // Keep only the newest mark: older ones can never date an unconsumed record again.
      if (marks.length > 1) marks.splice(0, marks.length - 1);
      return { lagOffsets: 0, lagSec: 0 };
    }
    const firstIdx = marks.findIndex((m) => m.end >= from + 1);
    const first = marks[firstIdx];
    // Marks before `first` date records that are consumed for good.
    if (firstIdx > 0) marks.splice(0, firstIdx);
    const lagSec = first ? Math.max(0, (nowMs - first.atMs) / 1000) : 0;
    return { lagOffsets, lagSec: Math.round(lagSec * 1000) / 1000 };
  }
}
