import type { KeyUsage } from '../../../../preload/contract';
import { bitString } from '../der';
import { oids } from '../oids';
import { extension } from './extension';

/** Bit numbers from RFC 5280 4.2.1.3. */
const bits: Record<KeyUsage, number> = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
};

/** A named-bit BIT STRING: DER drops trailing zero bits, so the unused-bit count depends on the highest bit set. */
export function keyUsageBits(usages: readonly KeyUsage[]): Buffer {
  const numbers = usages.map((u) => bits[u]);
  if (numbers.length === 0) return bitString(Buffer.alloc(0));
  const highest = Math.max(...numbers);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const n of numbers) bytes[Math.floor(n / 8)] = (bytes[Math.floor(n / 8)] ?? 0) | (0x80 >> (n % 8));
  return bitString(bytes, 7 - (highest % 8));
}

export function keyUsage(usages: readonly KeyUsage[], critical: boolean): Buffer {
  return extension(oids.keyUsage, critical, keyUsageBits(usages));
}

export function decodeKeyUsage(bitStringContent: Buffer): KeyUsage[] {
  const data = bitStringContent.subarray(1);
  return (Object.entries(bits) as [KeyUsage, number][])
    .filter(([, n]) => ((data[Math.floor(n / 8)] ?? 0) & (0x80 >> (n % 8))) !== 0)
    .map(([name]) => name);
}
