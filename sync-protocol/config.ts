/**
 * What a station pulls: the server is authoritative for configuration. Policy bodies travel as
 * opaque JSON objects; the station validates each with its own policy schema before using it.
 */
import { z } from 'zod';

const id = z.string().uuid();
const time = z.string().min(1).max(40);

export const deviceGroupConfigSchema = z.strictObject({
  id,
  name: z.string().min(1).max(256),
  description: z.string().max(4096),
  updatedAt: time,
  deletedAt: time.nullable(),
});
export type DeviceGroupConfig = z.infer<typeof deviceGroupConfigSchema>;

export const policyConfigSchema = z.strictObject({
  id,
  name: z.string().min(1).max(256),
  issuingCaId: id,
  body: z.record(z.string(), z.unknown()),
  updatedAt: time,
});
export type PolicyConfig = z.infer<typeof policyConfigSchema>;

/** GET config?since=V: everything changed after version V (0: everything), and the version to ask from next. */
export const configResponseSchema = z.strictObject({
  version: z.number().int().nonnegative(),
  deviceGroups: z.array(deviceGroupConfigSchema),
  policies: z.array(policyConfigSchema),
});
export type ConfigResponse = z.infer<typeof configResponseSchema>;
