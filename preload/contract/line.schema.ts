import { z } from 'zod';
import { descriptionSchema, idSchema, nameSchema } from './device-group.schema';
import { attributeKeySchema, attributeValueSchema } from './device.schema';

/** A gang is 1 to 32 ports (the fixtures our customers build). */
export const MAX_GANG_PORTS = 32;

export const deviceKeyTypes = ['EC-P256', 'EC-P384', 'Ed25519'] as const;
export const recipeKeyGenerations = ['device-csr', 'station-generated'] as const;
export type RecipeKeyGeneration = (typeof recipeKeyGenerations)[number];

/** Identity fields a driver reports, which a recipe can copy into the device's attributes. */
export const identityFields = ['serialNumber', 'chipId', 'macAddress', 'firmwareVersion'] as const;
export type IdentityField = (typeof identityFields)[number];

const portPathSchema = z
  .string({ message: 'must be text' })
  .trim()
  .min(1, { message: 'a port must not be empty' })
  .max(512, { message: 'a port path must be at most 512 characters' });

const recipePortsSchema = z
  .array(portPathSchema)
  .min(1, { message: 'a recipe needs at least one port' })
  .max(MAX_GANG_PORTS, { message: `a gang has at most ${MAX_GANG_PORTS} ports` })
  .refine((ports) => new Set(ports).size === ports.length, { message: 'a port appears twice' });

const NESTED_REPETITION = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/;

export const operatorAttributeSchema = z.strictObject({
  key: attributeKeySchema,
  label: nameSchema,
  /** A regular expression the scanned value must match in full, e.g. "^[0-9]{12}$". */
  pattern: z
    .string()
    .max(256)
    .refine(
      (source) => {
        try {
          new RegExp(source, 'u');
          return true;
        } catch {
          return false;
        }
      },
      { message: 'must be a valid regular expression' },
    )
    // A repeated group that itself repeats ("(a+)+") can take exponential time on a long scan,
    // and the check runs on the station's main thread: such patterns are refused.
    .refine((source) => !NESTED_REPETITION.test(source), {
      message: 'must not repeat a group that itself repeats, such as (a+)+',
    })
    .optional(),
});
export type OperatorAttribute = z.infer<typeof operatorAttributeSchema>;

const recipeFields = {
  name: nameSchema,
  description: descriptionSchema.default(''),
  /** Managed devices go into this group; null provisions unmanaged devices (no device records). */
  groupId: idSchema.nullable(),
  policyId: idSchema,
  keyGeneration: z.enum(recipeKeyGenerations).default('device-csr'),
  keyType: z.enum(deviceKeyTypes).default('EC-P256'),
  driver: z.string().trim().min(1).max(64).default('trustline'),
  baudRate: z.number().int().min(300).max(4_000_000).default(115200),
  ports: recipePortsSchema,
  deviceAttributes: z
    .array(z.strictObject({ from: z.enum(identityFields), key: attributeKeySchema }))
    .max(8)
    .default([{ from: 'serialNumber', key: 'serial' }]),
  operatorAttributes: z.array(operatorAttributeSchema).max(4).default([]),
  lockAfterPass: z.boolean().default(true),
};

export const createRecipeInput = z.strictObject(recipeFields);
export type CreateRecipeInput = z.input<typeof createRecipeInput>;
export type RecipeFields = z.output<typeof createRecipeInput>;

export const updateRecipeInput = z.strictObject({ id: idSchema, ...recipeFields });
export type UpdateRecipeInput = z.input<typeof updateRecipeInput>;

export const recipeIdInput = z.strictObject({ id: idSchema });

export const recipeSchema = z.object({
  id: idSchema,
  name: z.string(),
  description: z.string(),
  groupId: idSchema.nullable(),
  policyId: idSchema,
  keyGeneration: z.enum(recipeKeyGenerations),
  keyType: z.enum(deviceKeyTypes),
  driver: z.string(),
  baudRate: z.number().int(),
  ports: z.array(z.string()),
  deviceAttributes: z.array(z.object({ from: z.enum(identityFields), key: z.string() })),
  operatorAttributes: z.array(z.object({ key: z.string(), label: z.string(), pattern: z.string().optional() })),
  lockAfterPass: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Recipe = z.infer<typeof recipeSchema>;

/**
 * The per-device flow's states, in order. 'waiting' is a port with no device (or one that has
 * not answered yet); 'pass' and 'fail' stay on the tile until the next device arrives.
 */
export const portStates = [
  'stopped',
  'waiting',
  'detected',
  'identified',
  'waiting-label',
  'record',
  'key',
  'issued',
  'written',
  'read-back',
  'proven',
  'locked',
  'pass',
  'fail',
] as const;
export type PortState = (typeof portStates)[number];

export const portFailureSchema = z.object({
  code: z.string(),
  /** The state the device was in when it failed. */
  step: z.enum(portStates),
  message: z.string(),
  /** What the operator should do, in plain words (the UI shows its own translation by code). */
  remedy: z.string(),
});
export type PortFailure = z.infer<typeof portFailureSchema>;

export const portTileSchema = z.object({
  index: z.number().int().positive(),
  port: z.string(),
  state: z.enum(portStates),
  serialNumber: z.string().nullable(),
  provisioningId: idSchema.nullable(),
  /** When the current device was detected; the UI counts elapsed time from it. */
  startedAt: z.string().nullable(),
  /** Time the device took, once it reached PASS or FAIL. */
  durationMs: z.number().int().nonnegative().nullable(),
  labels: z.record(z.string(), z.string()),
  failure: portFailureSchema.nullable(),
  /** True when the device on the port had already passed before (nothing was issued again). */
  alreadyProvisioned: z.boolean(),
});
export type PortTile = z.infer<typeof portTileSchema>;

export const throughputPointSchema = z.object({
  /** Start of the minute, ISO. */
  minute: z.string(),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});

export const lineStatusSchema = z.object({
  running: z.boolean(),
  runId: idSchema.nullable(),
  lot: z.string().nullable(),
  recipeId: idSchema.nullable(),
  recipeName: z.string().nullable(),
  startedAt: z.string().nullable(),
  ports: z.array(portTileSchema),
  counters: z.object({
    passed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    /** passed / (passed + failed), null before the first device finishes. */
    yield: z.number().min(0).max(1).nullable(),
  }),
  /** Devices finished per minute over the last hour of the run. */
  throughput: z.array(throughputPointSchema),
});
export type LineStatus = z.infer<typeof lineStatusSchema>;

export const startLineInput = z.strictObject({
  recipeId: idSchema,
  /** The production lot; the QA report is made per lot. Default: the recipe name and the date. */
  lot: nameSchema.optional(),
  /** This run's ports instead of the recipe's (a fixture wired differently today). */
  ports: recipePortsSchema.optional(),
  /** Operator attributes given once for every device of the run (automated fixtures have no scanner). */
  labels: z.record(attributeKeySchema, attributeValueSchema).optional(),
});

export const scanInput = z.strictObject({
  /** The tile the operator picked; without it the label goes to the first port waiting for one. */
  port: z.number().int().positive().optional(),
  code: z
    .string()
    .max(512)
    // Scanners send the code then Enter; control characters are the scanner's, not the label's.
    .transform((code) =>
      [...code]
        .filter((c) => c >= ' ' && c !== '\u007f')
        .join('')
        .trim(),
    )
    .pipe(z.string().min(1, { message: 'the scanned code is empty' })),
});

export const lineRunSchema = z.object({
  id: idSchema,
  lot: z.string(),
  recipeId: idSchema,
  recipeName: z.string(),
  startedAt: z.string(),
  stoppedAt: z.string().nullable(),
  startedBy: z.string(),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
export type LineRun = z.infer<typeof lineRunSchema>;

export const qaCheckNames = ['read-back', 'record-match', 'chain', 'possession', 'policy', 'provisioned'] as const;
export type QaCheckName = (typeof qaCheckNames)[number];

export const qaCheckSchema = z.object({
  name: z.enum(qaCheckNames),
  /** null: could not be checked this way (e.g. no device connected for read-back). */
  ok: z.boolean().nullable(),
  detail: z.string(),
});
export type QaCheck = z.infer<typeof qaCheckSchema>;

export const qaInspectInput = z.union([
  z.strictObject({
    port: portPathSchema,
    driver: z.string().trim().min(1).max(64).default('trustline'),
    baudRate: z.number().int().min(300).max(4_000_000).default(115200),
  }),
  z.strictObject({ serialNumber: attributeValueSchema.pipe(z.string().min(1, { message: 'must not be empty' })) }),
]);
export type QaInspectInput = z.input<typeof qaInspectInput>;

export const qaInspectionSchema = z.object({
  /** Hand this to qa.recordVerdict: the verdict is filed against these checks, not against what the UI says. */
  id: idSchema,
  source: z.enum(['device', 'record']),
  serialNumber: z.string(),
  deviceId: idSchema.nullable(),
  provisioningId: idSchema.nullable(),
  lot: z.string().nullable(),
  certificate: z
    .object({
      id: idSchema,
      serial: z.string(),
      subject: z.string(),
      notBefore: z.string(),
      notAfter: z.string(),
      keyType: z.string(),
      pem: z.string(),
    })
    .nullable(),
  checks: z.array(qaCheckSchema),
  /** All checks that could run passed. */
  ok: z.boolean(),
  inspectedAt: z.string(),
});
export type QaInspection = z.infer<typeof qaInspectionSchema>;

export const qaVerdicts = ['pass', 'fail'] as const;

export const recordVerdictInput = z.strictObject({
  inspectionId: idSchema,
  verdict: z.enum(qaVerdicts),
  technician: nameSchema,
  notes: descriptionSchema.default(''),
});

export const qaVerdictSchema = z.object({
  id: idSchema,
  inspectionId: idSchema,
  serialNumber: z.string(),
  provisioningId: idSchema.nullable(),
  verdict: z.enum(qaVerdicts),
  technician: z.string(),
  notes: z.string(),
  checks: z.array(qaCheckSchema),
  recordedAt: z.string(),
  recordedBy: z.string(),
});
export type QaVerdict = z.infer<typeof qaVerdictSchema>;

export const qaReportInput = z.strictObject({
  runId: idSchema,
  format: z.enum(['csv', 'pdf']),
});

export const qaReportSchema = z.object({
  fileName: z.string(),
  mediaType: z.string(),
  contentBase64: z.string(),
  rows: z.number().int().nonnegative(),
});
export type QaReport = z.infer<typeof qaReportSchema>;
