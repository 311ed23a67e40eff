import { isIP } from 'node:net';
import { explicit, implicitPrimitive, octetString, oid, sequence, tlv } from '../der';
import { oids } from '../oids';
import { extension } from './extension';

export type GeneralNameValue =
  | { type: 'dns' | 'uri' | 'email' | 'ip'; value: string }
  | { type: 'hardwareModuleName'; hwType: string; serial: string };

function ipv4Bytes(text: string): number[] {
  return text.split('.').map(Number);
}

/** IPv4 as 4 bytes, IPv6 (with "::" and a dotted IPv4 tail such as ::ffff:192.0.2.1) as 16. */
function ipBytes(text: string): Buffer {
  if (isIP(text) === 4) return Buffer.from(ipv4Bytes(text));
  const words = (part: string): number[] =>
    part
      ? part.split(':').flatMap((w) => {
          if (!w.includes('.')) return [parseInt(w, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = ipv4Bytes(w);
          return [(a << 8) | b, (c << 8) | d];
        })
      : [];
  const [head = '', tail = ''] = text.split('::');
  const left = words(head);
  const right = text.includes('::') ? words(tail) : [];
  const middle = text.includes('::') ? new Array<number>(8 - left.length - right.length).fill(0) : [];
  const out = Buffer.alloc(16);
  [...left, ...middle, ...right].forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

/** Whether a rendered value is usable for its GeneralName type, as a reason or null. */
export function generalNameProblem(name: GeneralNameValue): string | null {
  if (name.type === 'hardwareModuleName') return name.serial.length === 0 ? 'hardwareModuleName serial is empty' : null;
  const { value } = name;
  if (value.length === 0) return `${name.type} SAN is empty`;
  // A zone ("%eth0") means something only on one host: it has no place in a certificate.
  if (name.type === 'ip') return isIP(value) && !value.includes('%') ? null : `"${value}" is not an IP address`;
  // dNSName, URI and rfc822Name are IA5String: ASCII only.
  if (!/^[\x21-\x7e]+$/.test(value)) return `${name.type} SAN "${value}" must be ASCII without spaces`;
  if (name.type === 'dns' && !/^(\*\.)?([A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}$/.test(value)) {
    return `"${value}" is not a DNS name`;
  }
  if (name.type === 'uri' && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) return `"${value}" is not a URI`;
  if (name.type === 'email' && !/^[^@]+@[^@]+$/.test(value)) return `"${value}" is not an e-mail address`;
  return null;
}

export function generalName(name: GeneralNameValue): Buffer {
  switch (name.type) {
    case 'email':
      return implicitPrimitive(1, Buffer.from(name.value, 'latin1'));
    case 'dns':
      return implicitPrimitive(2, Buffer.from(name.value, 'latin1'));
    case 'uri':
      return implicitPrimitive(6, Buffer.from(name.value, 'latin1'));
    case 'ip':
      return implicitPrimitive(7, ipBytes(name.value));
    case 'hardwareModuleName':
      // otherName [0] { type-id, [0] EXPLICIT HardwareModuleName { hwType, hwSerialNum OCTET STRING } }
      return tlv(
        0xa0,
        Buffer.concat([
          oid(oids.hardwareModuleName),
          explicit(0, sequence(oid(name.hwType), octetString(Buffer.from(name.serial, 'utf8')))),
        ]),
      );
  }
}

export function subjectAltName(names: readonly GeneralNameValue[], critical = false): Buffer {
  return extension(oids.subjectAltName, critical, sequence(...names.map(generalName)));
}

export function describeGeneralName(name: GeneralNameValue): string {
  if (name.type === 'hardwareModuleName') return `hardwareModuleName: ${name.hwType} / ${name.serial}`;
  return `${name.type.toUpperCase()}: ${name.value}`;
}
