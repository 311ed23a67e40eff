import { oid, sequence } from '../der';
import { extendedKeyUsageOids, oids } from '../oids';
import { extension } from './extension';

/** Named purposes (clientAuth, …) or dotted OIDs. */
export function extendedKeyUsage(purposes: readonly string[], critical = false): Buffer {
  return extension(oids.extKeyUsage, critical, sequence(...purposes.map((p) => oid(extendedKeyUsageOids[p] ?? p))));
}
