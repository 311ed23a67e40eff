import { z } from 'zod';

/**
 * Stable error codes. The UI translates each code into an operator-facing message
 * (renderer/i18n), so a code never changes meaning once shipped.
 */
export const errorCodes = [
  'UNKNOWN_CALL',
  'INVALID_INPUT',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'FORBIDDEN_ORIGIN',
  'GROUP_NOT_FOUND',
  'GROUP_NAME_TAKEN',
  'GROUP_NOT_EMPTY',
  'DEVICE_NOT_FOUND',
  'DEVICE_NAME_TAKEN',
  'DEVICE_DELETED',
  'DEVICE_DISABLED',
  'KEY_STORE_LOCKED',
  'HSM_MODULE_NOT_FOUND',
  'HSM_MODULE_IN_USE',
  'HSM_TOKEN_NOT_FOUND',
  'HSM_PIN_INCORRECT',
  'HSM_PIN_LOCKED',
  'HSM_KEY_NOT_FOUND',
  'HSM_KEY_AMBIGUOUS',
  'HSM_KEY_NOT_PROTECTED',
  'HSM_MECHANISM_UNSUPPORTED',
  'HSM_FAILURE',
  'PEM_INVALID',
  'CSR_INVALID',
  'CSR_SIGNATURE_INVALID',
  'PUBLIC_KEY_INVALID',
  'KEY_TYPE_NOT_ALLOWED',
  'KEY_GENERATION_NOT_ALLOWED',
  'SUBJECT_NOT_ALLOWED',
  'TEMPLATE_VALUE_MISSING',
  'POLICY_NOT_FOUND',
  'POLICY_NAME_TAKEN',
  'POLICY_INVALID',
  'PRESET_NOT_FOUND',
  'CA_NOT_FOUND',
  'CA_NAME_TAKEN',
  'CA_NOT_READY',
  'CA_CERT_INVALID',
  'CA_CERT_KEY_MISMATCH',
  'CA_CERT_NOT_CA',
  'CA_PATH_LENGTH_EXCEEDED',
  'CA_CHAIN_INCOMPLETE',
  'CA_VID_MISMATCH',
  'CERTIFICATE_NOT_FOUND',
  'STORE_TOO_NEW',
  'STORE_MIGRATION_FAILED',
  'TRANSPORT_FAILED',
  'RECIPE_NOT_FOUND',
  'RECIPE_NAME_TAKEN',
  'RECIPE_INVALID',
  'LINE_RUNNING',
  'LINE_NOT_RUNNING',
  'LINE_PORT_BUSY',
  'NO_PORT_WAITING_FOR_LABEL',
  'LABEL_INVALID',
  'DEVICE_NOT_RESPONDING',
  'DEVICE_REFUSED',
  'DEVICE_UNPLUGGED',
  'DEVICE_ALREADY_LOCKED',
  'DEVICE_KEY_MISMATCH',
  'DUPLICATE_SERIAL',
  'READBACK_MISMATCH',
  'POSSESSION_FAILED',
  'POSSESSION_UNSUPPORTED',
  'LOCK_FAILED',
  'RUN_NOT_FOUND',
  'INSPECTION_NOT_FOUND',
  'VERDICT_NOT_ALLOWED',
  'SETUP_REQUIRED',
  'SETUP_DONE',
  'SIGN_IN_FAILED',
  'ACCOUNT_LOCKED',
  'ACCOUNT_DISABLED',
  'SESSION_LOCKED',
  'TOKEN_EXPIRED',
  'TOKEN_REVOKED',
  'USER_NOT_FOUND',
  'USERNAME_TAKEN',
  'ROLE_NOT_FOUND',
  'ROLE_NAME_TAKEN',
  'ROLE_IN_USE',
  'BADGE_TAKEN',
  'LAST_ADMINISTRATOR',
  'TOKEN_NOT_FOUND',
  'RECIPIENT_UNUSABLE',
  'JOB_NOT_FOUND',
  'JOB_INPUT_INVALID',
  'JOB_HAS_INVALID_ROWS',
  'JOB_NOT_STARTABLE',
  'UPLOAD_NOT_FOUND',
  'SYNC_NOT_ENROLLED',
  'SYNC_ALREADY_ENROLLED',
  'SYNC_SERVER_UNREACHABLE',
  'SYNC_REFUSED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export const fieldIssueSchema = z.object({
  path: z.string(),
  message: z.string(),
});
export type FieldIssue = z.infer<typeof fieldIssueSchema>;

export const stationErrorSchema = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
  /** The step of a process that failed, when the error comes from one (e.g. "register-device"). */
  step: z.string().optional(),
  /** Values the UI interpolates into its translated message. */
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  /** Per-field problems for validation errors, with dotted paths ("attributes.mac"). */
  issues: z.array(fieldIssueSchema).optional(),
});
export type StationErrorShape = z.infer<typeof stationErrorSchema>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: StationErrorShape };

export const resultSchema = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: stationErrorSchema }),
  ]);

/** Turns zod issues into the flat, dotted-path form the UI shows next to fields. */
export function issuesFromZod(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}
