import type { PolicyPresetDefinition } from './preset';

export const tlsClientPreset: PolicyPresetDefinition = {
  name: 'tls-client',
  title: 'Generic TLS client device',
  summary: 'An operational identity for a device that connects to a cloud service with mutual TLS.',
  body: {
    description: 'TLS client certificate for devices; CN is the device serial number.',
    usage: 'operational',
    allowedKeyTypes: ['EC-P256', 'EC-P384', 'RSA'],
    rsaMinimumBits: 2048,
    keyGeneration: ['device-csr', 'device-public-key', 'station-generated'],
    signatureHash: 'SHA-256',
    validity: { kind: 'days', days: 3650 },
    subject: [{ type: 'CN', value: '{attr.serial}' }],
    csrSubject: 'ignore',
    subjectAltNames: [],
    keyUsage: ['digitalSignature'],
    keyUsageCritical: true,
    extendedKeyUsage: ['clientAuth'],
    basicConstraintsCritical: true,
    certificatePolicies: [],
    profile: 'generic',
  },
};
