import type { JobKeySource, JobKind, Policy } from '../../../preload/contract';
import { StationError } from '../errors/station-error';

/** Where each known column sits in a CSV's header. */
export interface ColumnMap {
  width: number;
  name: number;
  description: number | null;
  csr: number | null;
  publicKey: number | null;
  attributes: { key: string; index: number }[];
}

const attributePrefix = 'attr.';

/** The attribute names a policy's templates draw on ({attr.serial} …): the template's attribute columns. */
export function policyAttributes(policy: Policy): string[] {
  const found = new Set<string>();
  for (const match of JSON.stringify(policy).matchAll(/\{attr\.([A-Za-z0-9_.-]+)\}/g)) {
    if (match[1]) found.add(match[1]);
  }
  return [...found].sort();
}

export function templateColumns(kind: JobKind, keySource: JobKeySource | undefined, policy: Policy | null): string[] {
  const columns = ['device_name'];
  if (kind !== 'certificates-unmanaged') columns.push('description');
  if (kind !== 'register-devices' && keySource === 'csv') columns.push('csr');
  for (const key of policy ? policyAttributes(policy) : []) columns.push(`${attributePrefix}${key}`);
  return columns;
}

function refuse(message: string): StationError {
  return new StationError('JOB_INPUT_INVALID', message, { step: 'read-header' });
}

/**
 * Reads the header: device_name is required; description where devices are made; csr or
 * public_key (one of them) when the CSV brings the keys; attributes as attr.KEY. Anything else is
 * refused with its name rather than guessed at — a typo must not become an attribute.
 */
export function mapColumns(header: string[], kind: JobKind, keySource: JobKeySource | undefined): ColumnMap {
  const names = header.map((h) => h.trim());
  const lower = names.map((n) => n.toLowerCase());
  if (names.length === 1 && /[;,\t|:]/.test(names[0] ?? '')) {
    throw refuse(`The header "${names[0]}" is one column: separate columns with a comma, semicolon, tab or pipe.`);
  }
  const seen = new Map<string, number>();
  lower.forEach((name, index) => {
    if (seen.has(name)) throw refuse(`The column "${names[index]}" appears twice in the header.`);
    seen.set(name, index);
  });
  const find = (name: string) => seen.get(name) ?? null;
  const name = find('device_name');
  if (name === null) throw refuse('The header has no device_name column. Start from the downloaded template.');
  const takesKeys = kind !== 'register-devices' && keySource === 'csv';
  const csr = takesKeys ? find('csr') : null;
  const publicKey = takesKeys ? find('public_key') : null;
  if (takesKeys && (csr === null) === (publicKey === null)) {
    throw refuse('The header needs exactly one of the columns csr and public_key.');
  }
  const description = kind === 'certificates-unmanaged' ? null : find('description');
  const known = new Set([name, description, csr, publicKey].filter((i): i is number => i !== null));
  const attributes: ColumnMap['attributes'] = [];
  const unknown: string[] = [];
  names.forEach((column, index) => {
    if (known.has(index)) return;
    if (lower[index]?.startsWith(attributePrefix) && column.length > attributePrefix.length) {
      attributes.push({ key: column.slice(attributePrefix.length), index });
    } else {
      unknown.push(column === '' ? `(empty, column ${index + 1})` : column);
    }
  });
  if (unknown.length > 0) {
    throw refuse(
      `Unknown column(s): ${unknown.join(', ')}. Attribute columns are named attr.KEY; the template lists the others.`,
    );
  }
  return { width: names.length, name, description, csr, publicKey, attributes };
}
