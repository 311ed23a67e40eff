import { z } from 'zod';
import { attributesSchema } from './device.schema';
import { idSchema } from './device-group.schema';

export const certificateRecordSchema = z.object({
  id: idSchema,
  /** Lower-case hex of the positive 16-byte serial. */
  serialNumber: z.string(),
  subject: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  status: z.enum(['issued', 'revoked', 'superseded']),
  policyId: idSchema,
  policyName: z.string(),
  caId: idSchema,
  deviceId: idSchema.nullable(),
  keyType: z.string(),
  issuedAt: z.string(),
  issuedBy: z.string(),
});
export type CertificateRecord = z.infer<typeof certificateRecordSchema>;

export const issuedCertificateSchema = certificateRecordSchema.extend({
  pem: z.string(),
  /** The issuing CA's certificate and its issuers, PEM, leaf-most first. */
  chainPem: z.string(),
});
export type IssuedCertificate = z.infer<typeof issuedCertificateSchema>;

export const issueCertificateInput = z
  .strictObject({
    policyId: idSchema,
    /** A PKCS#10 request (PEM) — the device proves it holds the key. */
    csrPem: z.string().max(64_000).optional(),
    /** Or a bare public key (PEM SubjectPublicKeyInfo), where the policy allows device public keys. */
    publicKeyPem: z.string().max(64_000).optional(),
    /** A managed device's ID; its attributes fill the template. Absent: an unmanaged certificate. */
    deviceId: idSchema.optional(),
    /** Attributes for an unmanaged certificate, or extra ones over the device's. */
    attributes: attributesSchema.default({}),
  })
  .refine((i) => (i.csrPem === undefined) !== (i.publicKeyPem === undefined), {
    message: 'give either a CSR or a public key, not both',
    path: ['csrPem'],
  });

export const listCertificatesInput = z.strictObject({
  deviceId: idSchema.optional(),
  limit: z.number().int().min(1).max(500).default(100),
});

export const certificateIdInput = z.strictObject({ id: idSchema });
