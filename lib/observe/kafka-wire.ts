import { Socket } from 'node:net';

/**
 * The bits of Kafka's wire protocol the probes speak themselves: a reader for response frames
 * and one request/response round trip on a fresh connection with a hard deadline. The probes
 * use them instead of a kafkajs client because a client holds connections and retries against a
 * broker that vanished without a reset, and goes blind for seconds while it does.
 */
export class Reader {
  constructor(
    private readonly buf: Buffer,
    public pos = 0,
  ) {}
  int8 = () => this.fixed(1, this.buf.readInt8);
  int16 = () => this.fixed(2, this.buf.readInt16BE);
  int32 = () => this.fixed(4, this.buf.readInt32BE);
  int64 = () => this.fixed(8, this.buf.readBigInt64BE);
  /** Reads a fixed-width big-endian field at `pos` and moves past it. */
  private fixed<T>(width: number, read: (this: Buffer, offset: number) => T): T {
    const v = read.call(this.buf, this.pos);
    this.pos += width;
    return v;
  }
  uvarint() {
    let shift = 0;
    let v = 0;
    for (;;) {
      const b = this.buf[this.pos++]!;
      v |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v >>> 0;
      shift += 7;
    }
  }
  skipTags() {
    const n = this.uvarint();
    for (let i = 0; i < n; i++) {
      this.uvarint();
      this.pos += this.uvarint();
    }
  }
  compactString() {
    const len = this.uvarint() - 1;
    const s = this.buf.toString('utf8', this.pos, this.pos + Math.max(0, len));
    this.pos += Math.max(0, len);
    return s;
  }
  /** A classic (non-flexible) STRING or NULLABLE_STRING: int16 length, -1 for null. */
  string(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  /** A classic ARRAY: int32 count (-1 for null, read as empty), then `item` that many times. */
  array<T>(item: (r: Reader) => T): T[] {
    const n = this.int32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }
}

/** A classic request header (v1): api key, version, correlation id, client id. */
export function requestHeader(apiKey: number, apiVersion: number, correlationId: number, clientId: string) {
  const header = Buffer.alloc(8);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  return Buffer.concat([header, classicString(clientId)]);
}

export function classicString(s: string): Buffer {
  const b = Buffer.from(s);
  const len = Buffer.alloc(2);
  len.writeInt16BE(b.length, 0);
  return Buffer.concat([len, b]);
}

/** Prefixes a request payload with its int32 size. */
export function framed(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length, 0);
  return Buffer.concat([size, payload]);
}

/**
 * Sends `request` (size-prefixed) to `host:port` on a new connection and decodes the first
 * response frame (without its size). Everything, connect included, is bounded by `timeoutMs`;
 * the connection is closed either way.
 */
export function roundTrip<T>(
  host: string,
  port: number,
  request: Buffer,
  decode: (frame: Buffer) => T,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const sock = new Socket();
    let buf = Buffer.alloc(0);
    let settled = false;
    const done = (err: Error | null, v?: T) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(v as T);
    };
    const timer = setTimeout(() => done(new Error(`${what} to ${host}:${port} timed out`)), timeoutMs);
    sock.on('error', (e) => done(e));
    sock.on('close', () => done(new Error(`${what} to ${host}:${port}: connection closed`)));
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 4) return;
      const size = buf.readInt32BE(0);
      if (buf.length < 4 + size) return;
      try {
        done(null, decode(buf.subarray(4, 4 + size)));
      } catch (e) {
        done(e as Error);
      }
    });
    sock.connect(port, host, () => sock.write(request));
  });
}
