/**
 * One interface for every place a CA key can live: a PKCS#11 module (SoftHSM2, YubiHSM, Luna,
 * nShield, …) or the demo software token. The station core signs through this and never sees a
 * private key: keys are made inside the store as non-extractable and sensitive, and only their
 * public halves and signatures come out.
 */

/** Key types a store may generate. Ed25519 only where the module offers it. */
export const keyAlgorithms = ['EC-P256', 'EC-P384', 'RSA-2048', 'RSA-3072', 'RSA-4096', 'Ed25519'] as const;
export type KeyAlgorithm = (typeof keyAlgorithms)[number];

/**
 * Signature schemes, named as X.509 names them. The store returns the signature exactly as it
 * goes into a certificate or CSR: for ECDSA the DER `ECDSA-Sig-Value`, for RSA and Ed25519 the
 * raw signature bytes.
 */
export const signatureSchemes = [
  'ECDSA-SHA256',
  'ECDSA-SHA384',
  'RSA-PKCS1-SHA256',
  'RSA-PKCS1-SHA384',
  'RSA-PSS-SHA256',
  'RSA-PSS-SHA384',
  'Ed25519',
] as const;
export type SignatureScheme = (typeof signatureSchemes)[number];

export interface KeyRef {
  /** CKA_ID as lower-case hex; stable across sessions and restarts. */
  readonly id: string;
  readonly label: string;
  readonly algorithm: KeyAlgorithm;
}

export interface KeyStoreInfo {
  readonly kind: 'pkcs11' | 'software';
  /** What an operator sees, e.g. "SoftHSM2 token trustline-station" or "software — not for production". */
  readonly description: string;
  /** True for the software token: every screen and command that names the store says so. */
  readonly notForProduction: boolean;
  readonly modulePath?: string;
  readonly tokenLabel: string;
}

export interface KeyStore {
  readonly info: KeyStoreInfo;
  /** Makes a key pair inside the store: private half sensitive and non-extractable, on the token. */
  generateKeyPair(label: string, algorithm: KeyAlgorithm): Promise<KeyRef>;
  /** By CKA_ID (hex) or label; null when absent. An ambiguous label is an error. */
  findKey(query: { id?: string; label?: string }): Promise<KeyRef | null>;
  listKeys(): Promise<KeyRef[]>;
  /** The public key as DER SubjectPublicKeyInfo. */
  getPublicKey(key: KeyRef): Promise<Buffer>;
  /**
   * Whether the private key can never leave the store in clear (CKA_SENSITIVE true and
   * CKA_EXTRACTABLE false): a key adopted as a CA key must be.
   */
  isProtected(key: KeyRef): Promise<boolean>;
  /** Signs `data` (the full message, not a digest): the store hashes as the scheme says. */
  sign(key: KeyRef, scheme: SignatureScheme, data: Buffer): Promise<Buffer>;
  close(): Promise<void>;
}

export const keyStoreErrorCodes = [
  'HSM_MODULE_NOT_FOUND',
  'HSM_MODULE_IN_USE',
  'HSM_TOKEN_NOT_FOUND',
  'HSM_PIN_INCORRECT',
  'HSM_PIN_LOCKED',
  'HSM_KEY_NOT_FOUND',
  'HSM_KEY_AMBIGUOUS',
  'HSM_MECHANISM_UNSUPPORTED',
  'HSM_FAILURE',
] as const;
export type KeyStoreErrorCode = (typeof keyStoreErrorCodes)[number];

/** A key-store failure with a stable code; the core maps it onto a StationError of the same code. */
export class KeyStoreError extends Error {
  readonly code: KeyStoreErrorCode;
  /** The PKCS#11 return value name (e.g. CKR_PIN_INCORRECT) when one caused this. */
  readonly ckr: string | undefined;

  constructor(code: KeyStoreErrorCode, message: string, options: { ckr?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'KeyStoreError';
    this.code = code;
    this.ckr = options.ckr;
  }
}

export function isKeyStoreError(error: unknown): error is KeyStoreError {
  return error instanceof KeyStoreError;
}

/** Which schemes a key can sign with. */
export function schemesFor(algorithm: KeyAlgorithm): readonly SignatureScheme[] {
  if (algorithm === 'Ed25519') return ['Ed25519'];
  if (algorithm.startsWith('EC-')) return ['ECDSA-SHA256', 'ECDSA-SHA384'];
  return ['RSA-PKCS1-SHA256', 'RSA-PKCS1-SHA384', 'RSA-PSS-SHA256', 'RSA-PSS-SHA384'];
}
