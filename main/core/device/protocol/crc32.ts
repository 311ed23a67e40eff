/**
 * CRC-32 as zlib, Ethernet and PNG compute it (the "CRC-32/ISO-HDLC" of the CRC catalogue):
 * polynomial 0x04C11DB7 processed reflected (0xEDB88320), initial value 0xFFFFFFFF, input and
 * output reflected, final XOR 0xFFFFFFFF. Check value: crc32("123456789") = 0xCBF43926.
 */

export const CRC32_CHECK_VALUE = 0xcbf43926;

const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32 of `data` as an unsigned 32-bit number. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = (TABLE[(c ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
