import { oid, sequence } from '../der';
import { oids } from '../oids';
import { extension } from './extension';

export function certificatePolicies(policyOids: readonly string[]): Buffer {
  return extension(oids.certificatePolicies, false, sequence(...policyOids.map((p) => sequence(oid(p)))));
}
