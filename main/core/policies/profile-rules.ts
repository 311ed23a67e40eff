import { generalizedTimeToDate } from '../pki/der';
import type { PolicyBody } from '../../../preload/contract';

/**
 * What a policy body must satisfy, beyond its schema, to issue valid certificates: leaf-only key
 * usages, and each profile's own rules. Returns every problem so the editor can list them all.
 */
export function policyProblems(body: PolicyBody, caKeyAlgorithm: string | null): string[] {
  const problems: string[] = [];
  if (body.keyUsage.includes('keyCertSign') || body.keyUsage.includes('cRLSign')) {
    problems.push('keyCertSign and cRLSign are for CAs; a device certificate must not carry them');
  }
  if (body.validity.kind === 'fixed' && generalizedTimeToDate(body.validity.notAfter) === null) {
    problems.push(`notAfter ${body.validity.notAfter} is not a real date and time`);
  }
  for (const field of body.subject) {
    if (field.pattern !== undefined) {
      try {
        new RegExp(field.pattern);
      } catch {
        problems.push(`the pattern for ${field.type} is not a valid regular expression`);
      }
    }
  }
  if (body.profile === 'matter-dac') problems.push(...matterDacProblems(body, caKeyAlgorithm));
  if (body.profile === 'ieee-802.1ar' && !body.subject.some((f) => f.type === 'serialNumber')) {
    problems.push('an IEEE 802.1AR DevID carries the device serial in the subject serialNumber');
  }
  return problems;
}

function matterDacProblems(body: PolicyBody, caKeyAlgorithm: string | null): string[] {
  const problems: string[] = [];
  if (body.allowedKeyTypes.length !== 1 || body.allowedKeyTypes[0] !== 'EC-P256') {
    problems.push('a Matter DAC allows P-256 keys only');
  }
  if (body.signatureHash !== 'SHA-256') problems.push('a Matter DAC is signed with ECDSA-SHA256 only');
  if (caKeyAlgorithm !== null && caKeyAlgorithm !== 'EC-P256') problems.push('a Matter PAI must have a P-256 key');
  if (body.keyUsage.length !== 1 || body.keyUsage[0] !== 'digitalSignature' || !body.keyUsageCritical) {
    problems.push('a Matter DAC has key usage digitalSignature only, marked critical');
  }
  if (!body.basicConstraintsCritical) problems.push('a Matter DAC marks basicConstraints critical');
  for (const type of ['matterVid', 'matterPid'] as const) {
    if (body.subject.filter((f) => f.type === type).length !== 1) {
      problems.push(`a Matter DAC subject carries exactly one ${type === 'matterVid' ? 'VID' : 'PID'}`);
    }
  }
  if (body.extendedKeyUsage.length > 0) problems.push('a Matter DAC has no extended key usage');
  return problems;
}
