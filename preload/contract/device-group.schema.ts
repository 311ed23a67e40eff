import { z } from 'zod';

export const limits = {
  nameMax: 128,
  descriptionMax: 1024,
  attributeKeyMax: 64,
  attributeValueMax: 256,
  attributesMax: 32,
  searchMax: 128,
  pageMax: 500,
} as const;

export const idSchema = z.string().uuid({ message: 'must be a valid identifier' });

export const nameSchema = z
  .string({ message: 'must be text' })
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(limits.nameMax, { message: `must be at most ${limits.nameMax} characters` });

export const descriptionSchema = z
  .string({ message: 'must be text' })
  .trim()
  .max(limits.descriptionMax, { message: `must be at most ${limits.descriptionMax} characters` });

export const deviceGroupSchema = z.object({
  id: idSchema,
  name: z.string(),
  description: z.string(),
  deviceCount: z.number().int().nonnegative(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DeviceGroup = z.infer<typeof deviceGroupSchema>;

export const createDeviceGroupInput = z.strictObject({
  name: nameSchema,
  description: descriptionSchema.default(''),
});
export type CreateDeviceGroupInput = z.input<typeof createDeviceGroupInput>;

export const renameDeviceGroupInput = z.strictObject({ id: idSchema, name: nameSchema });
export type RenameDeviceGroupInput = z.input<typeof renameDeviceGroupInput>;

export const deviceGroupIdInput = z.strictObject({ id: idSchema });
