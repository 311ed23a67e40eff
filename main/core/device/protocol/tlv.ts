/**
 * The message body: a run of fields, each tag u8, length u16 big-endian, then `length` value
 * bytes, filling the body exactly.
 */
import { ProtocolError } from './protocol-error';

export const TLV_HEADER_SIZE = 3;
export const TLV_MAX_VALUE_SIZE = 0xffff;

export interface TlvField {
  tag: number;
  value: Buffer;
}

export function encodeTlv(tag: number, value: Uint8Array): Buffer {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xff) throw new RangeError(`TLV tag ${tag} is not a byte`);
  if (value.length > TLV_MAX_VALUE_SIZE) throw new RangeError(`TLV value of ${value.length} bytes is too long`);
  const out = Buffer.allocUnsafe(TLV_HEADER_SIZE + value.length);
  out[0] = tag;
  out.writeUInt16BE(value.length, 1);
  out.set(value, TLV_HEADER_SIZE);
  return out;
}

/** Splits a body into its fields, in order. Throws TRUNCATED_FIELD if a field runs past the end. */
export function decodeTlvs(body: Buffer): TlvField[] {
  const fields: TlvField[] = [];
  let pos = 0;
  while (pos < body.length) {
    if (body.length - pos < TLV_HEADER_SIZE) {
      throw new ProtocolError('TRUNCATED_FIELD', `field header at body offset ${pos} is cut off`);
    }
    const tag = body.readUInt8(pos);
    const length = body.readUInt16BE(pos + 1);
    const start = pos + TLV_HEADER_SIZE;
    if (start + length > body.length) {
      throw new ProtocolError(
        'TRUNCATED_FIELD',
        `field 0x${tag.toString(16).padStart(2, '0')} claims ${length} bytes, ${body.length - start} remain`,
        { tag },
      );
    }
    fields.push({ tag, value: body.subarray(start, start + length) });
    pos = start + length;
  }
  return fields;
}
