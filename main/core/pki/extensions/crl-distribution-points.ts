import { explicit, implicitPrimitive, sequence } from '../der';
import { oids } from '../oids';
import { extension } from './extension';

/** One DistributionPoint with a fullName URI. */
export function crlDistributionPoints(uri: string): Buffer {
  const fullName = explicit(0, implicitPrimitive(6, Buffer.from(uri, 'latin1')));
  return extension(oids.crlDistributionPoints, false, sequence(sequence(explicit(0, fullName))));
}
