/**
 * Consistent Overhead Byte Stuffing (Cheshire and Baker, 1999): rewrites a byte string so it
 * contains no 0x00, which then delimits frames on the wire. Each block is a code byte C
 * (1..255) followed by C-1 non-zero data bytes; a block with C < 0xFF stands for its data plus
 * one 0x00, except the last block of the frame; C = 0xFF stands for 254 data bytes and no 0x00.
 *
 * The encoder never ends with a redundant empty block: when the input ends exactly after a full
 * 254-byte run, the output ends with that 0xFF block. An encoding of n bytes is therefore at
 * most n + ceil(n / 254) bytes long (1 byte for the empty input).
 */

export class CobsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CobsError';
  }
}

/** The largest encoding of `length` bytes. */
export function cobsMaxEncodedLength(length: number): number {
  return length === 0 ? 1 : length + Math.ceil(length / 254);
}

export function cobsEncode(input: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(cobsMaxEncodedLength(input.length));
  let codeAt = 0;
  let o = 1;
  let code = 1;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i] ?? 0;
    if (byte === 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
      continue;
    }
    out[o++] = byte;
    code++;
    if (code === 0xff) {
      out[codeAt] = code;
      code = 1;
      if (i + 1 === input.length) return out.subarray(0, o);
      codeAt = o++;
    }
  }
  out[codeAt] = code;
  return out.subarray(0, o);
}

/**
 * Decodes one frame's bytes (without the 0x00 delimiter). Throws CobsError on an empty input, a
 * 0x00 inside the input, or a block whose code byte reaches past the end.
 */
export function cobsDecode(input: Uint8Array): Buffer {
  if (input.length === 0) throw new CobsError('empty COBS frame');
  const out = Buffer.allocUnsafe(input.length);
  let o = 0;
  let i = 0;
  while (i < input.length) {
    const code = input[i] ?? 0;
    if (code === 0) throw new CobsError(`0x00 inside a COBS frame at offset ${i}`);
    const end = i + code;
    if (end > input.length) throw new CobsError(`COBS block at offset ${i} runs past the end of the frame`);
    for (let j = i + 1; j < end; j++) {
      const byte = input[j] ?? 0;
      if (byte === 0) throw new CobsError(`0x00 inside a COBS frame at offset ${j}`);
      out[o++] = byte;
    }
    i = end;
    if (code !== 0xff && i < input.length) out[o++] = 0;
  }
  return out.subarray(0, o);
}
