import type { PolicyPresetDefinition } from './preset';

/** Matter device attestation certificate, in the form the Matter SDK's checks accept. */
export const matterDacPreset: PolicyPresetDefinition = {
  name: 'matter-dac',
  title: 'Matter DAC',
  summary: 'Device attestation certificate: P-256, ECDSA-SHA256, VID and PID in the subject, issued by a PAI.',
  body: {
    description: 'Matter device attestation certificate; the PAI must carry the same VID.',
    usage: 'bootstrap',
    allowedKeyTypes: ['EC-P256'],
    rsaMinimumBits: 2048,
    keyGeneration: ['device-csr', 'device-public-key'],
    signatureHash: 'SHA-256',
    validity: { kind: 'fixed', notAfter: '99991231235959Z' },
    subject: [
      { type: 'CN', value: 'Matter DAC {attr.serial}' },
      { type: 'matterVid', value: '{attr.vid}', pattern: '[0-9A-F]{4}' },
      { type: 'matterPid', value: '{attr.pid}', pattern: '[0-9A-F]{4}' },
    ],
    csrSubject: 'ignore',
    subjectAltNames: [],
    keyUsage: ['digitalSignature'],
    keyUsageCritical: true,
    extendedKeyUsage: [],
    basicConstraintsCritical: true,
    certificatePolicies: [],
    profile: 'matter-dac',
  },
};
