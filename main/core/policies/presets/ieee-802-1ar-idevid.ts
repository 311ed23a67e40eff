import type { PolicyPresetDefinition } from './preset';

/**
 * IEEE 802.1AR initial device identity: never expires (99991231235959Z), names the hardware in a
 * hardwareModuleName otherName (RFC 4108) and carries the serial in the subject's serialNumber.
 */
export const idevidPreset: PolicyPresetDefinition = {
  name: 'ieee-802.1ar-idevid',
  title: 'IEEE 802.1AR IDevID',
  summary: 'A birth certificate for the device: no expiry, hardware module name and serial number.',
  body: {
    description: 'IEEE 802.1AR initial device identifier.',
    usage: 'bootstrap',
    allowedKeyTypes: ['EC-P256', 'EC-P384'],
    rsaMinimumBits: 2048,
    keyGeneration: ['device-csr', 'device-public-key'],
    signatureHash: 'SHA-256',
    validity: { kind: 'fixed', notAfter: '99991231235959Z' },
    subject: [
      { type: 'O', value: 'Acme' },
      { type: 'CN', value: '{device.name}' },
      { type: 'serialNumber', value: '{attr.serial}' },
    ],
    csrSubject: 'ignore',
    // The hardware type OID is the manufacturer's own; this one is a placeholder to replace.
    subjectAltNames: [{ type: 'hardwareModuleName', hwType: '1.3.6.1.4.1.99999.1', serial: '{attr.serial}' }],
    keyUsage: ['digitalSignature', 'keyAgreement'],
    keyUsageCritical: true,
    extendedKeyUsage: [],
    basicConstraintsCritical: true,
    certificatePolicies: [],
    profile: 'ieee-802.1ar',
  },
};
