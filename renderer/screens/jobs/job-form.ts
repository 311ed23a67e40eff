import type { JobKeySource, JobKind, JobOptions, KeyDelivery, Policy, StationKeyType } from '../../../preload/contract';

/** What the New job form holds; options are built from it when the file is sent. */
export interface JobForm {
  kind: JobKind;
  groupId: string;
  policyId: string;
  keySource: JobKeySource;
  stationKeyType: StationKeyType;
  delivery: KeyDelivery;
  recipientPem: string;
}

export const emptyJobForm: JobForm = {
  kind: 'register-devices',
  groupId: '',
  policyId: '',
  keySource: 'csv',
  stationKeyType: 'EC-P256',
  delivery: 'cms',
  recipientPem: '',
};

export type MissingField = 'group' | 'policy' | 'recipient';

export const needsGroup = (form: JobForm) => form.kind !== 'certificates-unmanaged';
export const issuesCertificates = (form: JobForm) => form.kind !== 'register-devices';

/** Which policies can issue with this key source: the policy must allow that way of getting keys. */
export function policyFits(policy: Policy, keySource: JobKeySource): boolean {
  if (keySource === 'station') return policy.keyGeneration.includes('station-generated');
  if (keySource === 'zip') return policy.keyGeneration.includes('device-csr');
  return policy.keyGeneration.includes('device-csr') || policy.keyGeneration.includes('device-public-key');
}

/** The job's options, or the fields still missing (the station checks again). */
export function jobOptions(form: JobForm): { options: JobOptions } | { missing: MissingField[] } {
  const missing: MissingField[] = [];
  if (needsGroup(form) && !form.groupId) missing.push('group');
  if (!issuesCertificates(form)) {
    return missing.length > 0
      ? { missing }
      : { options: { kind: form.kind, groupId: form.groupId, stationKeyType: 'EC-P256' } };
  }
  if (!form.policyId) missing.push('policy');
  const station = form.keySource === 'station';
  if (station && form.delivery === 'cms' && !form.recipientPem.trim()) missing.push('recipient');
  if (missing.length > 0) return { missing };
  return {
    options: {
      kind: form.kind,
      ...(needsGroup(form) ? { groupId: form.groupId } : {}),
      policyId: form.policyId,
      keySource: form.keySource,
      stationKeyType: form.stationKeyType,
      ...(station ? { delivery: form.delivery } : {}),
      ...(station && form.delivery === 'cms' ? { recipientPem: form.recipientPem.trim() } : {}),
    },
  };
}

/** The file picker's filter: a ZIP of CSRs for that key source, a CSV otherwise. */
export function acceptedFiles(form: JobForm): string {
  return issuesCertificates(form) && form.keySource === 'zip' ? '.zip,application/zip' : '.csv,text/csv';
}
