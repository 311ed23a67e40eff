import type { ErrorCode, Policy, PolicyBody } from '../../../preload/contract';
import type { KeyAlgorithm, SignatureScheme } from '../../../hsm';
import { encodeTbs, type ParsedCertificate } from '../pki/certificate';
import { generalizedTimeText, generalizedTimeToDate, x509Time } from '../pki/der';
import { authorityInfoAccess } from '../pki/extensions/authority-info-access';
import { basicConstraints } from '../pki/extensions/basic-constraints';
import { certificatePolicies } from '../pki/extensions/certificate-policies';
import { crlDistributionPoints } from '../pki/extensions/crl-distribution-points';
import { extendedKeyUsage } from '../pki/extensions/extended-key-usage';
import { authorityKeyIdentifier, keyIdentifier, subjectKeyIdentifier } from '../pki/extensions/key-identifiers';
import { keyUsage } from '../pki/extensions/key-usage';
import { generalNameProblem, type GeneralNameValue, subjectAltName } from '../pki/extensions/subject-alt-name';
import { attributeProblem, encodeName, type NameAttribute } from '../pki/name';
import { oids } from '../pki/oids';
import type { PublicKeyDescription } from '../pki/public-key';
import { algorithmIdentifier, schemeForCaKey } from '../pki/signature-algorithms';
import { renderTemplate, type TemplateSource } from '../policies/template';

/** The issuing CA as the engine needs it. */
export interface IssuerInfo {
  id: string;
  keyId: string;
  keyLabel: string;
  keyAlgorithm: KeyAlgorithm;
  certificate: ParsedCertificate;
}

/**
 * A policy bound to its CA with every part that is the same for each certificate encoded once:
 * the signature algorithm, the issuer name and the constant extensions. Issuance then encodes
 * only what differs per device.
 */
export interface CompiledPolicy {
  policy: PolicyBody;
  issuer: IssuerInfo;
  scheme: SignatureScheme;
  signatureAlgorithm: Buffer;
  issuerName: Buffer;
  constantExtensions: Buffer[];
  fixedNotAfter: { date: Date; der: Buffer } | null;
  issuerVid: string | null;
}

export function compilePolicy(policy: PolicyBody | Policy, issuer: IssuerInfo): CompiledPolicy {
  const scheme = schemeForCaKey(issuer.keyAlgorithm, policy.signatureHash);
  const constantExtensions = [
    basicConstraints({ ca: false, critical: policy.basicConstraintsCritical }),
    keyUsage(policy.keyUsage, policy.keyUsageCritical),
  ];
  if (policy.extendedKeyUsage.length > 0) constantExtensions.push(extendedKeyUsage(policy.extendedKeyUsage));
  constantExtensions.push(
    authorityKeyIdentifier(issuer.certificate.subjectKeyId ?? keyIdentifier(issuer.certificate.spki)),
  );
  if (policy.crlDistributionPoint) constantExtensions.push(crlDistributionPoints(policy.crlDistributionPoint));
  if (policy.authorityInfoAccess && (policy.authorityInfoAccess.caIssuers || policy.authorityInfoAccess.ocsp)) {
    constantExtensions.push(authorityInfoAccess(policy.authorityInfoAccess));
  }
  if (policy.certificatePolicies.length > 0) constantExtensions.push(certificatePolicies(policy.certificatePolicies));
  return {
    policy,
    issuer,
    scheme,
    signatureAlgorithm: algorithmIdentifier(scheme),
    issuerName: issuer.certificate.subjectRaw,
    constantExtensions,
    fixedNotAfter: policy.validity.kind === 'fixed' ? fixedNotAfter(policy.validity.notAfter) : null,
    issuerVid: issuer.certificate.subject.find((a) => a.oid === oids.matterVid)?.value ?? null,
  };
}

export interface PlanProblem {
  code: ErrorCode;
  message: string;
}

/**
 * What the policy makes of one device's request, and every reason it refuses: all a check needs.
 * Encoding it (planTbs) is left to the one that signs.
 */
export interface CertificatePlan {
  subject: NameAttribute[];
  subjectAltNames: GeneralNameValue[];
  notBefore: Date;
  notAfter: Date;
  problems: PlanProblem[];
}

/** Checks the device key against the policy: type, size, and the profile's extra rules. */
export function keyProblems(policy: PolicyBody, key: PublicKeyDescription): PlanProblem[] {
  const allowed = policy.allowedKeyTypes as readonly string[];
  if (!allowed.includes(key.type)) {
    return [
      {
        code: 'KEY_TYPE_NOT_ALLOWED',
        message: `The key is ${key.label}; this policy allows ${policy.allowedKeyTypes.join(', ')}.`,
      },
    ];
  }
  if (key.type === 'RSA' && key.bits < Math.max(2048, policy.rsaMinimumBits)) {
    return [
      {
        code: 'KEY_TYPE_NOT_ALLOWED',
        message: `The key is RSA ${key.bits}; this policy needs at least ${Math.max(2048, policy.rsaMinimumBits)} bits.`,
      },
    ];
  }
  return [];
}

/** IEEE 802.1AR's "no well-defined expiration", which RFC 5280 writes as GeneralizedTime even so. */
const noExpiry = '99991231235959Z';

/** A fixed notAfter as X.509 encodes it: UTCTime before 2050 (RFC 5280 4.1.2.5), else GeneralizedTime. */
function fixedNotAfter(text: string): { date: Date; der: Buffer } | null {
  const date = generalizedTimeToDate(text);
  if (!date) return null;
  return { date, der: text === noExpiry ? generalizedTimeText(text) : x509Time(date) };
}

export function planCertificate(
  compiled: CompiledPolicy,
  key: PublicKeyDescription,
  source: TemplateSource,
  now: Date,
): CertificatePlan {
  const { policy } = compiled;
  const problems: PlanProblem[] = keyProblems(policy, key);

  const subject: NameAttribute[] = [];
  for (const field of policy.subject) {
    const rendered = renderTemplate(field.value, source);
    if (rendered.missing.length > 0) {
      problems.push({
        code: 'TEMPLATE_VALUE_MISSING',
        message: `The subject's ${field.type} needs ${rendered.missing.join(', ')}, which the device does not have.`,
      });
      continue;
    }
    const attribute = { type: field.type, value: rendered.value };
    const problem = attributeProblem(attribute);
    if (problem) problems.push({ code: 'SUBJECT_NOT_ALLOWED', message: `The subject is not allowed: ${problem}.` });
    if (field.pattern !== undefined && !new RegExp(`^(?:${field.pattern})$`).test(rendered.value)) {
      problems.push({
        code: 'SUBJECT_NOT_ALLOWED',
        message: `The subject's ${field.type} "${rendered.value}" does not match the policy's pattern ${field.pattern}.`,
      });
    }
    subject.push(attribute);
  }
  if (policy.csrSubject === 'must-match' && source.csrSubject) {
    for (const requested of source.csrSubject) {
      const granted = subject.filter((a) => a.type === requested.name).map((a) => a.value);
      if (!granted.includes(requested.value)) {
        problems.push({
          code: 'SUBJECT_NOT_ALLOWED',
          message: `The CSR asks for ${requested.name}=${requested.value}, which this policy does not grant.`,
        });
      }
    }
  }
  if (policy.profile === 'matter-dac') {
    const vid = subject.find((a) => a.type === 'matterVid')?.value;
    if (compiled.issuerVid !== null && vid !== undefined && vid !== compiled.issuerVid) {
      problems.push({
        code: 'CA_VID_MISMATCH',
        message: `The device's VID ${vid} differs from the PAI's VID ${compiled.issuerVid}.`,
      });
    }
  }

  const subjectAltNames: GeneralNameValue[] = [];
  for (const san of policy.subjectAltNames) {
    const rendered =
      san.type === 'hardwareModuleName'
        ? { ...renderTemplate(san.serial, source), hwType: san.hwType }
        : renderTemplate(san.value, source);
    if (rendered.missing.length > 0) {
      problems.push({
        code: 'TEMPLATE_VALUE_MISSING',
        message: `A ${san.type} SAN needs ${rendered.missing.join(', ')}, which the device does not have.`,
      });
      continue;
    }
    const name: GeneralNameValue =
      san.type === 'hardwareModuleName'
        ? { type: 'hardwareModuleName', hwType: san.hwType, serial: rendered.value }
        : { type: san.type, value: rendered.value };
    const problem = generalNameProblem(name);
    if (problem)
      problems.push({ code: 'SUBJECT_NOT_ALLOWED', message: `A subject alternative name is not allowed: ${problem}.` });
    subjectAltNames.push(name);
  }

  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const issuer = compiled.issuer.certificate;
  if (issuer.notAfter < notBefore || issuer.notBefore > notBefore) {
    problems.push({
      code: 'CA_NOT_READY',
      message: `The issuing CA's certificate is not valid now (valid ${issuer.notBefore.toISOString()} to ${issuer.notAfter.toISOString()}).`,
    });
  }
  let notAfter: Date;
  if (policy.validity.kind === 'days') {
    // A certificate for a number of days ends with its CA at the latest.
    const wanted = new Date(notBefore.getTime() + policy.validity.days * 86_400_000);
    notAfter = wanted < issuer.notAfter ? wanted : issuer.notAfter;
  } else if (compiled.fixedNotAfter) {
    notAfter = compiled.fixedNotAfter.date;
  } else {
    notAfter = notBefore;
    problems.push({
      code: 'POLICY_INVALID',
      message: `The policy's notAfter ${policy.validity.notAfter} is not a real time.`,
    });
  }
  if (notAfter <= notBefore) {
    problems.push({ code: 'POLICY_INVALID', message: `The policy's notAfter ${notAfter.toISOString()} has passed.` });
  }
  return { subject, subjectAltNames, notBefore, notAfter, problems };
}

/** The to-be-signed certificate for a plan without problems, with its serial. */
export function planTbs(compiled: CompiledPolicy, key: PublicKeyDescription, plan: CertificatePlan, serial: Buffer) {
  const extensions = [...compiled.constantExtensions, subjectKeyIdentifier(keyIdentifier(key.spki))];
  if (plan.subjectAltNames.length > 0) {
    // RFC 5280: with an empty subject the SAN must be critical; ours always has a subject.
    extensions.push(subjectAltName(plan.subjectAltNames));
  }
  return encodeTbs({
    serial,
    signatureAlgorithm: compiled.signatureAlgorithm,
    issuer: compiled.issuerName,
    notBefore: x509Time(plan.notBefore),
    // A fixed notAfter keeps the encoding the policy gave it (99991231235959Z stays GeneralizedTime).
    notAfter:
      compiled.policy.validity.kind === 'fixed' && compiled.fixedNotAfter
        ? compiled.fixedNotAfter.der
        : x509Time(plan.notAfter),
    subject: encodeName(plan.subject),
    spki: key.spki,
    extensions,
  });
}
