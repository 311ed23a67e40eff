import { publicRandomBytes } from '../pki/random-pool';

/** Bytes of a serial: the time in milliseconds (6), then random bytes (10). */
const serialBytes = 16;
const timeBytes = 6;

/**
 * A positive serial of exactly 16 bytes that sorts by the time it was made: 46 bits of Unix time
 * in milliseconds (enough until the year 4199) under a fixed top byte pattern, then 80 random
 * bits — more than the 64 bits of CSPRNG output the CA/Browser Forum asks of a serial, which is
 * what makes a certificate's content unpredictable to whoever asks for it. The time adds nothing
 * the certificate does not already say (its notBefore). Serials made close in time sort close
 * together, so each group commit of the recorder touches the end of the serial index instead of
 * a random page of it per certificate.
 */
export function newSerial(now: number = Date.now()): Buffer {
  const serial = publicRandomBytes(serialBytes);
  const time = Math.max(0, Math.floor(now));
  // The top bit cleared (a positive INTEGER) and the next one set (no leading zero byte to strip).
  serial[0] = 0x40 | (Math.floor(time / 2 ** 40) & 0x3f);
  serial.writeUIntBE(time % 2 ** 40, 1, timeBytes - 1);
  return serial;
}
