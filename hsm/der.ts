/**
 * The few DER encodings the key stores need (SubjectPublicKeyInfo, ECDSA-Sig-Value, DigestInfo),
 * written out by hand: hsm/ may not import the core's ASN.1 code, and pulling in an ASN.1
 * library for five TLVs would cost more than it saves.
 */

const TAG_INTEGER = 0x02;
const TAG_BIT_STRING = 0x03;
const TAG_OCTET_STRING = 0x04;
const TAG_NULL = 0x05;
const TAG_OID = 0x06;
const TAG_SEQUENCE = 0x30;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export function sequence(...items: Buffer[]): Buffer {
  return tlv(TAG_SEQUENCE, Buffer.concat(items));
}

/** A non-negative INTEGER from big-endian magnitude bytes: minimal, with a 0x00 where the top bit would make it negative. */
export function unsignedInteger(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start += 1;
  let body = magnitude.subarray(start);
  if (body.length === 0) body = Buffer.from([0]);
  if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return tlv(TAG_INTEGER, body);
}

export function bitString(content: Buffer): Buffer {
  // Keys and signatures are whole bytes: zero unused bits.
  return tlv(TAG_BIT_STRING, Buffer.concat([Buffer.from([0]), content]));
}

export function octetString(content: Buffer): Buffer {
  return tlv(TAG_OCTET_STRING, content);
}

export function nullValue(): Buffer {
  return Buffer.from([TAG_NULL, 0]);
}

/** An OBJECT IDENTIFIER from its dotted form, e.g. "1.2.840.10045.3.1.7". */
export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map((arc) => Number.parseInt(arc, 10));
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || arcs.some((arc) => !Number.isSafeInteger(arc) || arc < 0)) {
    throw new Error(`not an object identifier: ${dotted}`);
  }
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const base128: number[] = [];
    let rest128 = arc;
    do {
      base128.unshift(rest128 % 128);
      rest128 = Math.floor(rest128 / 128);
    } while (rest128 > 0);
    for (let i = 0; i < base128.length - 1; i += 1) base128[i] = (base128[i] ?? 0) | 0x80;
    bytes.push(...base128);
  }
  return tlv(TAG_OID, Buffer.from(bytes));
}

export interface DerElement {
  readonly tag: number;
  readonly content: Buffer;
  /** Bytes of the whole element (tag, length, content). */
  readonly length: number;
}

/** Reads the one TLV at the start of `input`; throws on truncated or indefinite-length input. */
export function readElement(input: Buffer): DerElement {
  const tag = input[0];
  const first = input[1];
  if (tag === undefined || first === undefined) throw new Error('DER: truncated element');
  let offset = 2;
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new Error('DER: unsupported length encoding');
    length = 0;
    for (let i = 0; i < count; i += 1) {
      const byte = input[offset + i];
      if (byte === undefined) throw new Error('DER: truncated length');
      length = length * 256 + byte;
    }
    offset += count;
  }
  if (offset + length > input.length) throw new Error('DER: truncated content');
  return { tag, content: input.subarray(offset, offset + length), length: offset + length };
}

/**
 * Unwraps a DER OCTET STRING when `value` is exactly one; otherwise returns it as is. PKCS#11
 * says CKA_EC_POINT is DER-wrapped, but some modules return the bare point.
 */
export function unwrapOctetString(value: Buffer): Buffer {
  if (value[0] !== TAG_OCTET_STRING) return value;
  try {
    const element = readElement(value);
    return element.length === value.length ? element.content : value;
  } catch {
    return value;
  }
}
