import { z } from 'zod';
import { idSchema, nameSchema } from './device-group.schema';

/** Key types the station can make for a CA inside its key store. */
export const caKeyAlgorithms = ['EC-P256', 'EC-P384', 'RSA-2048', 'RSA-3072', 'RSA-4096', 'Ed25519'] as const;
export type CaKeyAlgorithm = (typeof caKeyAlgorithms)[number];

/** A certificate as the UI shows it in a chain. */
export const certificateSummarySchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  serialNumber: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  sha256Fingerprint: z.string(),
  isCa: z.boolean(),
  pathLength: z.number().int().nullable(),
  selfSigned: z.boolean(),
});
export type CertificateSummary = z.infer<typeof certificateSummarySchema>;

/**
 * A CA the station knows. `issuing`: its key is in the key store and it signs device
 * certificates (`awaiting-certificate` until its signed certificate is imported). `trust-anchor`:
 * a root imported only to build and check chains; its key is elsewhere.
 */
export const caSchema = z.object({
  id: idSchema,
  name: z.string(),
  kind: z.enum(['issuing', 'trust-anchor']),
  status: z.enum(['awaiting-certificate', 'ready']),
  keyLabel: z.string().nullable(),
  keyAlgorithm: z.string().nullable(),
  subject: z.string(),
  /** Leaf-most first: this CA's certificate, then its issuers up to the root. Empty while awaiting. */
  chain: z.array(certificateSummarySchema),
  createdAt: z.string(),
});
export type Ca = z.infer<typeof caSchema>;

/** A distinguished name given as fields; CN is required, the rest optional. */
export const caSubjectInput = z.strictObject({
  commonName: z.string().trim().min(1).max(64),
  organization: z.string().trim().max(64).optional(),
  organizationalUnit: z.string().trim().max(64).optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, { message: 'two upper-case letters, e.g. DE' })
    .optional(),
  /** Matter PAA/PAI vendor ID, four upper-case hex digits. */
  matterVid: z
    .string()
    .regex(/^[0-9A-F]{4}$/, { message: 'four upper-case hex digits, e.g. FFF1' })
    .optional(),
});
export type CaSubjectInput = z.infer<typeof caSubjectInput>;

export const createRootCaInput = z.strictObject({
  name: nameSchema,
  subject: caSubjectInput,
  algorithm: z.enum(caKeyAlgorithms).default('EC-P256'),
  validityDays: z.number().int().min(1).max(36500).default(7300),
  /** Absent: no limit. */
  pathLength: z.number().int().min(0).max(8).optional(),
});

export const createIssuingCaInput = z.strictObject({
  name: nameSchema,
  subject: caSubjectInput,
  algorithm: z.enum(caKeyAlgorithms).default('EC-P256'),
  /** Sign it right away with a ready CA of this station (labs); otherwise export the CSR. */
  signWithCaId: idSchema.optional(),
  validityDays: z.number().int().min(1).max(36500).default(3650),
});

export const createIssuingCaResult = z.object({ ca: caSchema, csrPem: z.string() });

const pemText = z.string().min(1).max(200_000);

export const importCaCertificateInput = z.strictObject({
  caId: idSchema,
  /** The CA's certificate, optionally followed by the intermediates above it. */
  certificatePem: pemText,
});

export const importTrustAnchorInput = z.strictObject({ name: nameSchema, certificatePem: pemText });

export const adoptCaKeyInput = z.strictObject({
  name: nameSchema,
  /** Label or hex CKA_ID of a key already in the key store. */
  key: z.string().trim().min(1).max(128),
  certificatePem: pemText,
});

export const caIdInput = z.strictObject({ id: idSchema });
export const caPemResult = z.object({ pem: z.string() });

export const keyStoreStatusSchema = z.object({
  unlocked: z.boolean(),
  kind: z.enum(['pkcs11', 'software']),
  description: z.string(),
  notForProduction: z.boolean(),
  tokenLabel: z.string(),
  modulePath: z.string().nullable(),
  /**
   * Only in the answer to the unlock that created the station's own token: its security
   * officer PIN, shown once to be kept safe; the station never stores it.
   */
  soPin: z.string().optional(),
});
export type KeyStoreStatus = z.infer<typeof keyStoreStatusSchema>;

export const unlockKeyStoreInput = z.strictObject({ pin: z.string().min(1).max(255) });
