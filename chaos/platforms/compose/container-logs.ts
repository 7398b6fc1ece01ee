/**
 * The text of a container's log as the Engine API returns it for a container without a TTY:
 * frames of an 8-byte header (stream 1 stdout / 2 stderr, 3 zero bytes, big-endian length) and
 * the payload. Both streams in arrival order; a truncated last frame is kept as far as it goes.
 */
export function demuxLogs(buf: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    const stream = buf[at];
    if (stream !== 0 && stream !== 1 && stream !== 2) return buf.toString('utf8');
    const size = buf.readUInt32BE(at + 4);
    parts.push(buf.subarray(at + 8, Math.min(buf.length, at + 8 + size)));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}
