import { createHash } from 'node:crypto';
import { children, expectTag, implicitPrimitive, octetString, readOnly, sequence, tags } from '../der';
import { oids } from '../oids';
import { extension } from './extension';

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bytes. */
export function keyIdentifier(spki: Buffer): Buffer {
  const [, key] = children(readOnly(spki));
  const bits = expectTag(key, tags.bitString, 'subjectPublicKey');
  return createHash('sha1').update(bits.content.subarray(1)).digest();
}

export const subjectKeyIdentifier = (id: Buffer): Buffer =>
  extension(oids.subjectKeyIdentifier, false, octetString(id));

export const authorityKeyIdentifier = (id: Buffer): Buffer =>
  extension(oids.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, id)));
