import { z } from 'zod';
import { attributesSchema } from './device.schema';
import { descriptionSchema, idSchema, nameSchema } from './device-group.schema';

/** Key types a policy can allow for the device's key. RSA sizes are bounded by `rsaMinimumBits`. */
export const policyKeyTypes = ['EC-P256', 'EC-P384', 'EC-P521', 'RSA', 'Ed25519'] as const;
export type PolicyKeyType = (typeof policyKeyTypes)[number];

/** Where the device's key pair comes from (the seeds' "key generation types"). */
export const keyGenerationTypes = ['device-csr', 'device-public-key', 'station-generated'] as const;
export type KeyGenerationType = (typeof keyGenerationTypes)[number];

export const policyUsages = ['bootstrap', 'operational'] as const;

/**
 * Subject attributes a template can set, in the order they appear. `matterVid` and `matterPid`
 * are the Matter attestation OIDs 1.3.6.1.4.1.37244.2.1 and .2.2.
 */
export const subjectAttributeTypes = [
  'C',
  'ST',
  'L',
  'O',
  'OU',
  'CN',
  'serialNumber',
  'matterVid',
  'matterPid',
] as const;
export type SubjectAttributeType = (typeof subjectAttributeTypes)[number];

export const keyUsages = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
] as const;
export type KeyUsage = (typeof keyUsages)[number];

export const extendedKeyUsageNames = [
  'serverAuth',
  'clientAuth',
  'codeSigning',
  'emailProtection',
  'timeStamping',
  'OCSPSigning',
] as const;

const oidSchema = z.string().regex(/^[0-2](\.(0|[1-9][0-9]*))+$/, { message: 'must be a dotted OID such as 1.2.3.4' });

/**
 * A template value: literal text with `{attr.NAME}`, `{device.name}`, `{device.id}` or
 * `{csr.CN}` (any subject attribute of the CSR) placeholders. CSR values reach the certificate
 * only where the template names them: the policy's template wins.
 */
export const templateSchema = z
  .string()
  .max(512)
  .refine((t) => /^(?:[^{}]|\{(?:attr\.[A-Za-z0-9_.-]+|device\.(?:name|id)|csr\.[A-Za-z]+)\})*$/.test(t), {
    message: 'placeholders are {attr.NAME}, {device.name}, {device.id} or {csr.ATTRIBUTE}; braces only around them',
  });

export const subjectFieldSchema = z.strictObject({
  type: z.enum(subjectAttributeTypes),
  value: templateSchema.refine((v) => v.length > 0, { message: 'a subject field needs a value' }),
  /** The rendered value must match this regular expression in full, or the request is refused. */
  pattern: z.string().max(256).optional(),
});
export type SubjectField = z.infer<typeof subjectFieldSchema>;

export const sanSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('dns'), value: templateSchema }),
  z.strictObject({ type: z.literal('uri'), value: templateSchema }),
  z.strictObject({ type: z.literal('email'), value: templateSchema }),
  z.strictObject({ type: z.literal('ip'), value: templateSchema }),
  /** IEEE 802.1AR / RFC 4108 hardwareModuleName otherName: a hardware type OID and a serial. */
  z.strictObject({ type: z.literal('hardwareModuleName'), hwType: oidSchema, serial: templateSchema }),
]);
export type SubjectAltName = z.infer<typeof sanSchema>;

/** URIs in certificates are IA5String: ASCII only (a host in punycode, the rest percent-encoded). */
const asciiUrl = z
  .url()
  .max(512)
  .regex(/^[\x21-\x7e]+$/, { message: 'use ASCII only: the host in punycode (xn--…), the rest percent-encoded' });

/** A GeneralizedTime such as 99991231235959Z (IEEE 802.1AR's "no well-defined expiration"). */
export const generalizedTimeSchema = z
  .string()
  .regex(/^\d{14}Z$/, { message: 'must be YYYYMMDDHHMMSSZ, e.g. 99991231235959Z' });

export const validitySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('days'), days: z.number().int().min(1).max(36500) }),
  z.strictObject({ kind: z.literal('fixed'), notAfter: generalizedTimeSchema }),
]);
export type Validity = z.infer<typeof validitySchema>;

/** Everything that says what a certificate issued under a policy must look like. */
export const policyBodySchema = z.strictObject({
  name: nameSchema,
  description: descriptionSchema,
  usage: z.enum(policyUsages),
  issuingCaId: idSchema,
  allowedKeyTypes: z.array(z.enum(policyKeyTypes)).min(1, { message: 'allow at least one key type' }),
  rsaMinimumBits: z.number().int().min(2048, { message: 'RSA keys below 2048 bits are never allowed' }).max(16384),
  keyGeneration: z.array(z.enum(keyGenerationTypes)).min(1, { message: 'allow at least one key generation type' }),
  /** Hash the CA signs with (ECDSA or RSA CAs; ignored for Ed25519 CAs). */
  signatureHash: z.enum(['SHA-256', 'SHA-384']),
  validity: validitySchema,
  subject: z.array(subjectFieldSchema).min(1, { message: 'a subject needs at least one field' }).max(16),
  /** `must-match`: every attribute in a CSR's subject must equal what the template produced. */
  csrSubject: z.enum(['ignore', 'must-match']),
  subjectAltNames: z.array(sanSchema).max(16),
  keyUsage: z.array(z.enum(keyUsages)).min(1, { message: 'choose at least one key usage' }),
  keyUsageCritical: z.boolean(),
  extendedKeyUsage: z.array(z.union([z.enum(extendedKeyUsageNames), oidSchema])).max(16),
  /** basicConstraints CA:FALSE on every leaf; this only says whether it is marked critical. */
  basicConstraintsCritical: z.boolean(),
  crlDistributionPoint: asciiUrl.optional(),
  authorityInfoAccess: z.strictObject({ caIssuers: asciiUrl.optional(), ocsp: asciiUrl.optional() }).optional(),
  certificatePolicies: z.array(oidSchema).max(8),
  /** Set by the Matter DAC preset: P-256 and ECDSA-SHA256 only, VID and PID checked against the PAI. */
  profile: z.enum(['generic', 'ieee-802.1ar', 'matter-dac']),
});
export type PolicyBody = z.infer<typeof policyBodySchema>;

export const policySchema = policyBodySchema.extend({
  id: idSchema,
  issuingCaName: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Policy = z.infer<typeof policySchema>;

export const policyPresetSchema = z.object({
  name: z.string(),
  title: z.string(),
  summary: z.string(),
  /** Every field but the name and the issuing CA, for an editor to start from. */
  body: policyBodySchema.omit({ name: true, issuingCaId: true }),
});
export type PolicyPreset = z.infer<typeof policyPresetSchema>;

export const createPolicyInput = z.strictObject({
  /** Start from a preset and override any field; without one, every field must be given. */
  preset: z.string().max(64).optional(),
  body: policyBodySchema.partial(),
});

export const updatePolicyInput = z.strictObject({ id: idSchema, body: policyBodySchema });
export const policyIdInput = z.strictObject({ id: idSchema });

export const previewPolicyInput = z.strictObject({
  body: policyBodySchema,
  sample: z.strictObject({
    deviceName: z.string().max(128),
    attributes: attributesSchema,
  }),
});

/** What a policy would issue for a sample device: the fields, and the certificate itself. */
export const policyPreviewSchema = z.object({
  subject: z.string(),
  subjectAltNames: z.array(z.string()),
  notBefore: z.string(),
  notAfter: z.string(),
  extensions: z.array(z.object({ name: z.string(), critical: z.boolean(), value: z.string() })),
  /** Signed by a throwaway key, never by the CA: for looking at, not for use. */
  pem: z.string(),
  problems: z.array(z.string()),
});
export type PolicyPreview = z.infer<typeof policyPreviewSchema>;
