import type { PolicyBody } from '../../../../preload/contract';

/** A starting point for a policy: everything but its name and issuing CA. */
export interface PolicyPresetDefinition {
  name: string;
  title: string;
  summary: string;
  body: Omit<PolicyBody, 'name' | 'issuingCaId'>;
}
