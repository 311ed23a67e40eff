import { implicitPrimitive, oid, sequence } from '../der';
import { oids } from '../oids';
import { extension } from './extension';

export function authorityInfoAccess(access: { caIssuers?: string; ocsp?: string }): Buffer {
  const entries: Buffer[] = [];
  if (access.ocsp)
    entries.push(sequence(oid(oids.accessOcsp), implicitPrimitive(6, Buffer.from(access.ocsp, 'latin1'))));
  if (access.caIssuers) {
    entries.push(sequence(oid(oids.accessCaIssuers), implicitPrimitive(6, Buffer.from(access.caIssuers, 'latin1'))));
  }
  return extension(oids.authorityInfoAccess, false, sequence(...entries));
}
