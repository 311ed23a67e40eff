/**
 * Just enough DER for the simulated firmware: the length of one element (to check SUBJECT and
 * chain content the way the spec asks a device to) and building SEQUENCEs for the CSR. A real
 * device needs no more than this either: it never interprets certificates. Reading stays lenient
 * here (a device accepts what it can store); writing uses the station's DER encoder.
 */
import { tlv } from '../../pki/der';

/** The total size (header + content) of the definite-length element at `pos`, or undefined if malformed. */
export function derElementSize(buf: Buffer, pos: number): number | undefined {
  if (pos + 2 > buf.length) return undefined;
  const first = buf.readUInt8(pos + 1);
  let length: number;
  let header: number;
  if (first < 0x80) {
    length = first;
    header = 2;
  } else {
    const count = first & 0x7f;
    // 0x80 is the indefinite form, which DER forbids; more than 4 length bytes cannot fit here.
    if (count === 0 || count > 4 || pos + 2 + count > buf.length) return undefined;
    length = buf.readUIntBE(pos + 2, count);
    header = 2 + count;
  }
  const size = header + length;
  return pos + size <= buf.length ? size : undefined;
}

/** True when `buf` is exactly one or more complete DER SEQUENCEs back to back (and not empty). */
export function isSequenceRun(buf: Buffer, maxCount = Infinity): boolean {
  let pos = 0;
  let count = 0;
  while (pos < buf.length) {
    if (buf[pos] !== 0x30) return false;
    const size = derElementSize(buf, pos);
    if (size === undefined) return false;
    pos += size;
    if (++count > maxCount) return false;
  }
  return count > 0;
}

/** One element from its parts; the encoding itself is the station's own DER writer. */
export function derElement(tag: number, ...content: Buffer[]): Buffer {
  return tlv(tag, Buffer.concat(content));
}
