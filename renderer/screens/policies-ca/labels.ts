import type { PolicyBody } from '../../../preload/contract';

/** i18n keys cannot hold "." or "-": the contract's names mapped onto key-safe ones. */
export const profileKey: Record<PolicyBody['profile'], string> = {
  generic: 'generic',
  'ieee-802.1ar': 'ieee8021ar',
  'matter-dac': 'matterDac',
};

export const keyGenerationKey = {
  'device-csr': 'deviceCsr',
  'device-public-key': 'devicePublicKey',
  'station-generated': 'stationGenerated',
} as const;
