import { StationError } from '../errors/station-error';
import { isSignedBy, type ParsedCertificate } from '../pki/certificate';
import { decodeKeyUsage } from '../pki/extensions/key-usage';
import { nameToString } from '../pki/name';
import { oids } from '../pki/oids';

/** Critical extensions the station understands; any other one makes a CA certificate unusable here. */
const understoodCritical = new Set<string>([
  oids.basicConstraints,
  oids.keyUsage,
  oids.extKeyUsage,
  oids.subjectAltName,
  oids.certificatePolicies,
]);

/**
 * A CA certificate must be a CA, may sign certificates, is valid now, and carries no critical
 * extension the station cannot honour (name constraints, say): a chain it would build through
 * such a certificate is one that verifiers reject.
 */
export function checkCaCertificate(cert: ParsedCertificate, now: Date, step: string): void {
  const who = nameToString(cert.subject);
  if (!cert.basicConstraints?.ca) {
    throw new StationError('CA_CERT_NOT_CA', `${who} is not a CA certificate (basicConstraints CA:FALSE or absent).`, {
      step,
    });
  }
  const ku = cert.extensions.get(oids.keyUsage);
  if (ku && !decodeKeyUsage(ku.value.subarray(2)).includes('keyCertSign')) {
    throw new StationError('CA_CERT_NOT_CA', `${who} may not sign certificates (no keyCertSign).`, { step });
  }
  for (const [id, ext] of cert.extensions) {
    if (ext.critical && !understoodCritical.has(id)) {
      throw new StationError(
        'CA_CERT_INVALID',
        `${who} has the critical extension ${id}, which the station cannot honour.`,
        {
          step,
        },
      );
    }
  }
  if (cert.notAfter < now || cert.notBefore > now) {
    throw new StationError('CA_CERT_INVALID', `${who} is not valid now.`, { step });
  }
}

/**
 * The issuers of `cert` up to a trusted root, leaf-most first, from the certificates given with
 * it and those the station already holds. Checks at every step: the issuer's signature, that the
 * issuer is a CA, validity now, and every issuer's pathLen against the CAs below it (this CA
 * counts as one: it will sign end entities).
 */
export function buildIssuerChain(
  cert: ParsedCertificate,
  offered: readonly ParsedCertificate[],
  trusted: readonly ParsedCertificate[],
  now: Date,
  step: string,
): ParsedCertificate[] {
  const candidates = [...offered, ...trusted];
  const isTrusted = (c: ParsedCertificate) => trusted.some((t) => t.der.equals(c.der));
  const issuers: ParsedCertificate[] = [];
  let current = cert;
  for (let depth = 1; depth <= 8; depth += 1) {
    if (current.issuerRaw.equals(current.subjectRaw) && isSignedBy(current, current)) {
      if (current === cert || isTrusted(current)) return issuers;
      throw new StationError(
        'CA_CHAIN_INCOMPLETE',
        `The chain ends at the root ${nameToString(current.subject)}, which is not imported: import it as a trust anchor first.`,
        { step },
      );
    }
    const issuer = candidates.find((c) => c.subjectRaw.equals(current.issuerRaw) && isSignedBy(current, c));
    if (!issuer) {
      throw new StationError(
        'CA_CHAIN_INCOMPLETE',
        `No certificate of ${nameToString(current.issuer)} that signed ${nameToString(current.subject)} is known: import the root (and any intermediates with the certificate).`,
        { step },
      );
    }
    checkCaCertificate(issuer, now, step);
    const pathLength = issuer.basicConstraints?.pathLength ?? null;
    if (pathLength !== null && pathLength < depth) {
      throw new StationError(
        'CA_PATH_LENGTH_EXCEEDED',
        `${nameToString(issuer.subject)} allows ${pathLength} CA(s) below it; this CA would be number ${depth}.`,
        { step, params: { pathLength, depth } },
      );
    }
    issuers.push(issuer);
    current = issuer;
  }
  throw new StationError('CA_CHAIN_INCOMPLETE', 'The chain is longer than 8 certificates.', { step });
}
