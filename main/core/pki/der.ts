/**
 * DER encoding and decoding of the few ASN.1 types X.509 needs. Encoders return Buffers that
 * callers concatenate; nothing here allocates an object tree, because certificate issuance runs
 * thousands of times a second and ASN.1 object models were measured as its bottleneck.
 */

export const tags = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

function lengthBytes(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthBytes(content.length), content]);
}

export const sequence = (...items: Buffer[]): Buffer => tlv(tags.sequence, Buffer.concat(items));

/** A SET OF in DER order: elements sorted by their encodings. */
export const setOf = (...items: Buffer[]): Buffer => tlv(tags.set, Buffer.concat([...items].sort(Buffer.compare)));

/** [n] EXPLICIT (constructed) context tag. */
export const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 | n, content);

/** [n] IMPLICIT primitive context tag, e.g. GeneralName dNSName [2]. */
export const implicitPrimitive = (n: number, content: Buffer): Buffer => tlv(0x80 | n, content);

export const derBoolean = (value: boolean): Buffer => tlv(tags.boolean, Buffer.from([value ? 0xff : 0x00]));
export const derNull = (): Buffer => Buffer.from([tags.null, 0x00]);
export const octetString = (content: Buffer): Buffer => tlv(tags.octetString, content);
export const bitString = (content: Buffer, unusedBits = 0): Buffer =>
  tlv(tags.bitString, Buffer.concat([Buffer.from([unusedBits]), content]));
export const utf8String = (text: string): Buffer => tlv(tags.utf8String, Buffer.from(text, 'utf8'));
export const printableString = (text: string): Buffer => tlv(tags.printableString, Buffer.from(text, 'latin1'));
export const ia5String = (text: string): Buffer => tlv(tags.ia5String, Buffer.from(text, 'latin1'));

export const isPrintable = (text: string): boolean => /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text);

/** A non-negative INTEGER from big-endian magnitude bytes: leading zeros stripped, a 0x00 added when the top bit is set. */
export function unsignedInteger(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start += 1;
  const trimmed = magnitude.subarray(start);
  const content = (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
  return tlv(tags.integer, content.length === 0 ? Buffer.from([0]) : content);
}

export const smallInteger = (value: number): Buffer => {
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) throw new RangeError(`integer ${value}`);
  const bytes: number[] = [];
  for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return unsignedInteger(Buffer.from(bytes.length ? bytes : [0]));
};

const oidCache = new Map<string, Buffer>();

export function oid(dotted: string): Buffer {
  const cached = oidCache.get(dotted);
  if (cached) return cached;
  const arcs = dotted.split('.').map((part) => {
    if (!/^(0|[1-9]\d*)$/.test(part)) throw new RangeError(`bad OID ${dotted}`);
    return BigInt(part);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || first > 2n || (first < 2n && second > 39n)) {
    throw new RangeError(`bad OID ${dotted}`);
  }
  const body: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let n = arc >> 7n; n > 0n; n >>= 7n) chunk.unshift(Number(n & 0x7fn) | 0x80);
    body.push(...chunk);
  }
  const encoded = tlv(tags.oid, Buffer.from(body));
  oidCache.set(dotted, encoded);
  return encoded;
}

export function decodeOid(content: Buffer): string {
  const arcs: bigint[] = [];
  let value = 0n;
  let arcStart = true;
  for (const byte of content) {
    // 0x80 opening an arc is a padded (non-minimal) encoding: two byte strings, one OID.
    if (arcStart && byte === 0x80) throw new DerError('non-minimal OID arc');
    value = (value << 7n) | BigInt(byte & 0x7f);
    arcStart = (byte & 0x80) === 0;
    if (arcStart) {
      arcs.push(value);
      value = 0n;
    }
  }
  if (!arcStart || content.length === 0) throw new DerError('truncated OID');
  const [head, ...rest] = arcs;
  if (head === undefined) return '';
  const first = head < 80n ? head / 40n : 2n;
  return [first, head - first * 40n, ...rest].join('.');
}

/**
 * X.509 Time: UTCTime for years 1950–2049, GeneralizedTime otherwise (RFC 5280 4.1.2.5), always
 * to the second in UTC.
 */
export function x509Time(date: Date): Buffer {
  const iso = date.toISOString();
  const year = date.getUTCFullYear();
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  if (year >= 1950 && year < 2050) return tlv(tags.utcTime, Buffer.from(`${digits.slice(2)}Z`, 'latin1'));
  return tlv(tags.generalizedTime, Buffer.from(`${digits}Z`, 'latin1'));
}

export function generalizedTimeText(text: string): Buffer {
  return tlv(tags.generalizedTime, Buffer.from(text, 'latin1'));
}

/** One decoded TLV: where it is and what it holds, without copying. */
export interface Node {
  tag: number;
  /** The whole encoding, header included. */
  raw: Buffer;
  content: Buffer;
}

export class DerError extends Error {}

/** Reads one TLV at `offset`. Definite lengths only (DER), minimal length encoding enforced. */
export function readNode(buffer: Buffer, offset = 0): Node {
  const tag = buffer[offset];
  const first = buffer[offset + 1];
  if (tag === undefined || first === undefined) throw new DerError('truncated');
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not supported');
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new DerError('indefinite or oversized length');
    length = 0;
    for (let i = 0; i < count; i += 1) {
      const byte = buffer[offset + 2 + i];
      if (byte === undefined) throw new DerError('truncated length');
      length = length * 256 + byte;
    }
    if (length < 0x80 || (count > 1 && buffer[offset + 2] === 0)) throw new DerError('non-minimal length');
    header += count;
  }
  const end = offset + header + length;
  if (end > buffer.length) throw new DerError('truncated content');
  return { tag, raw: buffer.subarray(offset, end), content: buffer.subarray(offset + header, end) };
}

/** Reads a whole buffer as exactly one TLV: trailing bytes are an error. */
export function readOnly(buffer: Buffer): Node {
  const node = readNode(buffer, 0);
  if (node.raw.length !== buffer.length) throw new DerError('trailing bytes after the encoding');
  return node;
}

export function children(node: Node): Node[] {
  const out: Node[] = [];
  for (let offset = 0; offset < node.content.length;) {
    const child = readNode(node.content, offset);
    out.push(child);
    offset += child.raw.length;
  }
  return out;
}

export function expectTag(node: Node | undefined, tag: number, what: string): Node {
  if (!node || node.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}`);
  return node;
}

export function decodeTime(node: Node): Date {
  const text = node.content.toString('latin1');
  const m =
    node.tag === tags.utcTime
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : node.tag === tags.generalizedTime
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
        : null;
  if (!m) throw new DerError(`bad time ${text}`);
  let year = Number(m[1]);
  if (node.tag === tags.utcTime) year += year < 50 ? 2000 : 1900;
  const fields = [Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])] as const;
  const date = new Date(Date.UTC(year, ...fields));
  // Date.UTC rolls 30 February over into March: a time that does not come back unchanged is not a time.
  const back = [date.getUTCMonth(), date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()];
  if (date.getUTCFullYear() !== year || back.some((v, i) => v !== fields[i])) throw new DerError(`bad time ${text}`);
  return date;
}

/** The text of a string-typed node (UTF8String, PrintableString, IA5String, …). */
export function decodeString(node: Node): string {
  return node.tag === tags.utf8String ? node.content.toString('utf8') : node.content.toString('latin1');
}

/** A YYYYMMDDHHMMSSZ text as a date, or null when it is not a real time. */
export function generalizedTimeToDate(text: string): Date | null {
  try {
    return decodeTime(readOnly(generalizedTimeText(text)));
  } catch {
    return null;
  }
}
