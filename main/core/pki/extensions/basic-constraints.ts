import { derBoolean, sequence, smallInteger } from '../der';
import { oids } from '../oids';
import { extension } from './extension';

export function basicConstraints(options: { ca: boolean; pathLength?: number; critical: boolean }): Buffer {
  const parts: Buffer[] = [];
  if (options.ca) parts.push(derBoolean(true));
  if (options.ca && options.pathLength !== undefined) parts.push(smallInteger(options.pathLength));
  return extension(oids.basicConstraints, options.critical, sequence(...parts));
}
