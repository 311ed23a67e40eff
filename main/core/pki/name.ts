import type { SubjectAttributeType } from '../../../preload/contract';
import {
  children,
  decodeOid,
  decodeString,
  expectTag,
  isPrintable,
  type Node,
  oid,
  printableString,
  sequence,
  setOf,
  tags,
  utf8String,
} from './der';
import { oids } from './oids';

/** Short name ↔ OID for the attributes the station writes; others print as dotted OIDs. */
export const subjectAttributeOids: Record<SubjectAttributeType, string> = {
  C: oids.country,
  ST: oids.state,
  L: oids.locality,
  O: oids.organization,
  OU: oids.organizationalUnit,
  CN: oids.commonName,
  serialNumber: oids.serialNumber,
  matterVid: oids.matterVid,
  matterPid: oids.matterPid,
};

const shortNames = new Map<string, string>(
  Object.entries(subjectAttributeOids).map(([name, value]) => [value, name] as const),
);

export interface NameAttribute {
  type: SubjectAttributeType;
  value: string;
}

/** Upper bounds from RFC 5280's ub-* values; a longer value would make a certificate others reject. */
export const attributeMaxLength: Partial<Record<SubjectAttributeType, number>> = {
  CN: 64,
  O: 64,
  OU: 64,
  L: 128,
  ST: 128,
  C: 2,
  serialNumber: 64,
};

function encodeValue(attribute: NameAttribute): Buffer {
  // country and serialNumber are PrintableString by definition; Matter wants UTF8String for VID/PID.
  if (attribute.type === 'C' || attribute.type === 'serialNumber') return printableString(attribute.value);
  return utf8String(attribute.value);
}

/** Whether the value fits its attribute's string type and length, as a reason or null. */
export function attributeProblem(attribute: NameAttribute): string | null {
  const max = attributeMaxLength[attribute.type];
  if (attribute.value.length === 0) return `${attribute.type} is empty`;
  if (max !== undefined && attribute.value.length > max) return `${attribute.type} is longer than ${max} characters`;
  if ((attribute.type === 'C' || attribute.type === 'serialNumber') && !isPrintable(attribute.value)) {
    return `${attribute.type} may use only letters, digits, spaces and '()+,-./:=?`;
  }
  return null;
}

/** One RDN per attribute, in the given order. */
export function encodeName(attributes: readonly NameAttribute[]): Buffer {
  return sequence(...attributes.map((a) => setOf(sequence(oid(subjectAttributeOids[a.type]), encodeValue(a)))));
}

export interface DecodedNameAttribute {
  oid: string;
  /** Short name where the station knows one (CN, O, matterVid, …), else the dotted OID. */
  name: string;
  value: string;
}

export function decodeName(node: Node): DecodedNameAttribute[] {
  expectTag(node, tags.sequence, 'Name');
  const out: DecodedNameAttribute[] = [];
  for (const rdn of children(node)) {
    expectTag(rdn, tags.set, 'RelativeDistinguishedName');
    for (const atv of children(rdn)) {
      const [type, value] = children(expectTag(atv, tags.sequence, 'AttributeTypeAndValue'));
      const id = decodeOid(expectTag(type, tags.oid, 'attribute type').content);
      if (!value) throw new Error('attribute without value');
      out.push({ oid: id, name: shortNames.get(id) ?? id, value: decodeString(value) });
    }
  }
  return out;
}

export function nameToString(attributes: readonly DecodedNameAttribute[]): string {
  return attributes.map((a) => `${a.name}=${a.value.replace(/([,+"\\<>;])/g, '\\$1')}`).join(', ');
}
