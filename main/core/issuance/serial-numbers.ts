import { publicRandomBytes } from '../pki/random-pool';

/**
 * A random positive serial of exactly 16 bytes: the top bit is cleared (positive INTEGER) and the
 * next one set (no leading zero byte to strip), leaving 126 bits of entropy.
 */
export function randomSerial(): Buffer {
  const serial = publicRandomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  return serial;
}
