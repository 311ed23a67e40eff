import { children, decodeOid, type Node, readOnly, tags } from './der';
import { decodeKeyUsage } from './extensions/key-usage';
import { extendedKeyUsageOids, oids } from './oids';

const extensionNames: Record<string, string> = {
  [oids.basicConstraints]: 'basicConstraints',
  [oids.keyUsage]: 'keyUsage',
  [oids.extKeyUsage]: 'extendedKeyUsage',
  [oids.subjectKeyIdentifier]: 'subjectKeyIdentifier',
  [oids.authorityKeyIdentifier]: 'authorityKeyIdentifier',
  [oids.subjectAltName]: 'subjectAltName',
  [oids.crlDistributionPoints]: 'crlDistributionPoints',
  [oids.authorityInfoAccess]: 'authorityInfoAccess',
  [oids.certificatePolicies]: 'certificatePolicies',
};

const purposeNames = new Map(Object.entries(extendedKeyUsageOids).map(([name, id]) => [id, name] as const));

const hex = (b: Buffer) => b.toString('hex').toUpperCase().match(/../g)?.join(':') ?? '';

/** One GeneralName as text, e.g. "DNS:gw.example", "URI:urn:dev:mac:…", "hardwareModuleName:1.3…/SN". */
export function describeGeneralNameNode(node: Node): string {
  switch (node.tag) {
    case 0x81:
      return `email:${node.content.toString('latin1')}`;
    case 0x82:
      return `DNS:${node.content.toString('latin1')}`;
    case 0x86:
      return `URI:${node.content.toString('latin1')}`;
    case 0x87:
      return `IP:${node.content.length === 4 ? [...node.content].join('.') : hex(node.content)}`;
    case 0xa0: {
      const [typeId, value] = children(node);
      const id = typeId ? decodeOid(typeId.content) : '';
      if (id === oids.hardwareModuleName && value) {
        const [hmn] = children(value);
        const [hwType, serial] = hmn ? children(hmn) : [];
        return `hardwareModuleName:${hwType ? decodeOid(hwType.content) : '?'}/${serial ? serial.content.toString('utf8') : '?'}`;
      }
      return `otherName:${id}`;
    }
    default:
      return `GeneralName[0x${node.tag.toString(16)}]`;
  }
}

function describeValue(id: string, value: Buffer): string {
  const node = readOnly(value);
  switch (id) {
    case oids.basicConstraints: {
      const parts = children(node);
      const ca = parts[0]?.tag === tags.boolean && parts[0].content[0] !== 0;
      const len = parts.find((p) => p.tag === tags.integer);
      return `CA:${ca ? 'TRUE' : 'FALSE'}${len ? `, pathlen:${len.content.readUIntBE(0, len.content.length)}` : ''}`;
    }
    case oids.keyUsage:
      return decodeKeyUsage(node.content).join(', ');
    case oids.extKeyUsage:
      return children(node)
        .map((p) => {
          const o = decodeOid(p.content);
          return purposeNames.get(o) ?? o;
        })
        .join(', ');
    case oids.subjectKeyIdentifier:
      return hex(node.content);
    case oids.authorityKeyIdentifier:
      return children(node)
        .filter((p) => p.tag === 0x80)
        .map((p) => `keyid:${hex(p.content)}`)
        .join(', ');
    case oids.subjectAltName:
      return children(node).map(describeGeneralNameNode).join(', ');
    case oids.crlDistributionPoints:
    case oids.authorityInfoAccess:
      return uris(node).join(', ');
    case oids.certificatePolicies:
      return children(node)
        .map((p) => {
          const [policyId] = children(p);
          return policyId ? decodeOid(policyId.content) : '?';
        })
        .join(', ');
    default:
      return hex(value);
  }
}

/** Every URI GeneralName anywhere below `node` (CRL DP and AIA nest them differently). */
function uris(node: Node): string[] {
  if (node.tag === 0x86) return [node.content.toString('latin1')];
  if ((node.tag & 0x20) === 0) return [];
  return children(node).flatMap(uris);
}

export function describeExtension(
  id: string,
  critical: boolean,
  value: Buffer,
): { name: string; critical: boolean; value: string } {
  let text: string;
  try {
    text = describeValue(id, value);
  } catch {
    text = hex(value);
  }
  return { name: extensionNames[id] ?? id, critical, value: text };
}
