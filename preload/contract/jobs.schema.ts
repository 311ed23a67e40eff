import { z } from 'zod';
import { idSchema } from './device-group.schema';

/** The seeds' three batch workflows. */
export const jobKinds = ['register-devices', 'certificates-managed', 'certificates-unmanaged'] as const;
export type JobKind = (typeof jobKinds)[number];

/**
 * Where a certificate job's keys come from: a `csr` or `public_key` column of the CSV, a ZIP of
 * CSR files (one per device, the file name as the device name), or key pairs the station makes.
 */
export const jobKeySources = ['csv', 'zip', 'station'] as const;
export type JobKeySource = (typeof jobKeySources)[number];

/** How station-made private keys travel: CMS EnvelopedData to a recipient certificate, or PKCS#12 under a passcode. */
export const keyDeliveries = ['cms', 'pkcs12'] as const;
export type KeyDelivery = (typeof keyDeliveries)[number];

export const stationKeyTypes = ['EC-P256', 'EC-P384', 'RSA-2048'] as const;
export type StationKeyType = (typeof stationKeyTypes)[number];

export const jobStates = [
  'validating',
  'validated',
  'rejected',
  'running',
  'interrupted',
  'cancelled',
  'completed',
] as const;
export type JobState = (typeof jobStates)[number];

export const jobOptionsSchema = z
  .strictObject({
    kind: z.enum(jobKinds),
    /** Register and managed-certificate jobs put new devices here. */
    groupId: idSchema.optional(),
    /** Certificate jobs: the policy that issues. */
    policyId: idSchema.optional(),
    keySource: z.enum(jobKeySources).optional(),
    stationKeyType: z.enum(stationKeyTypes).default('EC-P256'),
    delivery: z.enum(keyDeliveries).optional(),
    /** For CMS delivery: the recipient's certificate (PEM), RSA or EC. */
    recipientPem: z.string().max(64_000).optional(),
  })
  .superRefine((o, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (o.kind !== 'certificates-unmanaged' && o.groupId === undefined) issue('groupId', 'choose a device group');
    if (o.kind === 'register-devices') return;
    if (o.policyId === undefined) issue('policyId', 'choose a policy');
    if (o.keySource === undefined) issue('keySource', 'choose where the keys come from');
    if (o.keySource === 'station') {
      if (o.delivery === undefined) issue('delivery', 'choose how the private keys are delivered');
      if (o.delivery === 'cms' && o.recipientPem === undefined) issue('recipientPem', 'give the recipient certificate');
    }
  });
export type JobOptions = z.output<typeof jobOptionsSchema>;

export const jobCountsSchema = z.object({
  total: z.number().int().nonnegative(),
  invalid: z.number().int().nonnegative(),
  pending: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  cancelled: z.number().int().nonnegative(),
});

export const jobSchema = z.object({
  id: idSchema,
  kind: z.enum(jobKinds),
  state: z.enum(jobStates),
  inputName: z.string(),
  groupId: idSchema.nullable(),
  policyId: idSchema.nullable(),
  keySource: z.enum(jobKeySources).nullable(),
  delivery: z.enum(keyDeliveries).nullable(),
  counts: jobCountsSchema,
  /** Rows per second over the last seconds of a run, and the time left at that rate. */
  rate: z.number().nonnegative().nullable(),
  etaSeconds: z.number().nonnegative().nullable(),
  /** Why a job was rejected as a whole (a missing column, a file that is not a CSV…). */
  problem: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type Job = z.infer<typeof jobSchema>;

export const createJobInput = z.strictObject({
  /** What the station's upload (or the CLI's staging) returned for the input file. */
  uploadId: idSchema,
  /** The file's own name, shown in the job list. */
  inputName: z.string().trim().min(1).max(255),
  options: jobOptionsSchema,
});

export const jobIdInput = z.strictObject({ id: idSchema });

export const startJobInput = z.strictObject({
  id: idSchema,
  /** Rows that failed validation are skipped; without this, a job with invalid rows is not started. */
  skipInvalid: z.boolean().default(false),
  /** The PKCS#12 passcode (never stored: asked again to resume). */
  passcode: z.string().min(8).max(256).optional(),
});

/**
 * A passcode for a job's result: the result then travels as CMS EnvelopedData under it
 * (`…-result.zip.p7m`). Never stored, never logged; given again for each download.
 */
export const resultPasscodeBounds = { min: 8, max: 128 } as const;
export const resultPasscodeSchema = z
  .string()
  .min(resultPasscodeBounds.min, `the result passcode needs at least ${resultPasscodeBounds.min} characters`)
  .max(resultPasscodeBounds.max, `the result passcode takes at most ${resultPasscodeBounds.max} characters`);

/** The body of POST /api/jobs/<id>/result.zip (a GET takes none and gives the plain ZIP). */
export const jobResultInput = z.strictObject({ passcode: resultPasscodeSchema.optional() });

export const jobProblemsInput = z.strictObject({
  id: idSchema,
  afterLine: z.number().int().nonnegative().default(0),
  limit: z.number().int().min(1).max(1000).default(200),
});

export const jobRowProblemSchema = z.object({
  line: z.number().int().positive(),
  name: z.string(),
  status: z.enum(['invalid', 'failed']),
  code: z.string(),
  message: z.string(),
});

export const jobTemplateInput = z.strictObject({
  kind: z.enum(jobKinds),
  policyId: idSchema.optional(),
  keySource: z.enum(jobKeySources).optional(),
});

export const jobTemplateSchema = z.object({ filename: z.string(), csv: z.string() });
