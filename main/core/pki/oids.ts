/** Object identifiers the station writes or reads, named as the standards name them. */
export const oids = {
  // Subject attributes (X.520) and Matter's VID/PID.
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  country: '2.5.4.6',
  locality: '2.5.4.7',
  state: '2.5.4.8',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  matterVid: '1.3.6.1.4.1.37244.2.1',
  matterPid: '1.3.6.1.4.1.37244.2.2',
  // Extensions (RFC 5280).
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  accessOcsp: '1.3.6.1.5.5.7.48.1',
  accessCaIssuers: '1.3.6.1.5.5.7.48.2',
  /** RFC 4108 otherName hardwareModuleName, used by IEEE 802.1AR DevIDs. */
  hardwareModuleName: '1.3.6.1.5.5.7.8.4',
  extensionRequest: '1.2.840.113549.1.9.14',
  // Keys and signatures.
  ecPublicKey: '1.2.840.10045.2.1',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
  p521: '1.3.132.0.35',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  ed25519: '1.3.101.112',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  mgf1: '1.2.840.113549.1.1.8',
  // CMS (RFC 5652) content types and the algorithms of the station's enveloped private keys.
  data: '1.2.840.113549.1.7.1',
  envelopedData: '1.2.840.113549.1.7.3',
  rsaesOaep: '1.2.840.113549.1.1.7',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  aes256Wrap: '2.16.840.1.101.3.4.1.45',
  /** Read in messages others made (openssl cms -encrypt -aes128…); the station writes AES-256. */
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  /** RFC 3211 PasswordRecipientInfo's key wrap with a block cipher in CBC mode. */
  pwriKek: '1.2.840.113549.1.9.16.3.9',
  /** RFC 5753 ephemeral-static ECDH with the ANSI X9.63 KDF over SHA-256 / SHA-384. */
  dhSinglePassStdDhSha256Kdf: '1.3.132.1.11.1',
  dhSinglePassStdDhSha384Kdf: '1.3.132.1.11.2',
  // PKCS#5 (RFC 8018) and PKCS#12 (RFC 7292).
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  /** PBKDF2's default PRF when its parameters name none (RFC 8018 A.2); read, never written. */
  hmacWithSha1: '1.2.840.113549.2.7',
  hmacWithSha384: '1.2.840.113549.2.10',
  hmacWithSha512: '1.2.840.113549.2.11',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509CertificateBagType: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
} as const;

export const extendedKeyUsageOids: Record<string, string> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  OCSPSigning: '1.3.6.1.5.5.7.3.9',
};
