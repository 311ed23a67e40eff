import { derBoolean, octetString, oid, sequence } from '../der';

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } */
export function extension(id: string, critical: boolean, value: Buffer): Buffer {
  // DER leaves a DEFAULT value out: `critical FALSE` is never encoded.
  return critical ? sequence(oid(id), derBoolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}
