import { z } from 'zod';
import { descriptionSchema, idSchema, limits, nameSchema } from './device-group.schema';

export const lifecycleStates = ['Enrolled', 'Registered', 'Provisioned', 'Deleted'] as const;
export type LifecycleState = (typeof lifecycleStates)[number];

export const deviceStatuses = ['Enabled', 'Disabled'] as const;
export type DeviceStatus = (typeof deviceStatuses)[number];

const reservedKeys = new Set(['__proto__', 'constructor', 'prototype']);

/** Keys are identifiers that survive CSV headers and certificate templates (`{attr.serial}`). */
export const attributeKeySchema = z
  .string({ message: 'attribute names must be text' })
  .trim()
  .min(1, { message: 'attribute names must not be empty' })
  .max(limits.attributeKeyMax, { message: `attribute names must be at most ${limits.attributeKeyMax} characters` })
  .regex(/^[A-Za-z0-9_.-]+$/, { message: 'attribute names may use letters, digits, "_", "." and "-" only' })
  // These would be swallowed as object machinery instead of stored as attributes.
  .refine((key) => !reservedKeys.has(key), { message: 'this attribute name is reserved' });

/**
 * Values stay strings: a scanned serial must keep its leading zeros. Surrounding blanks are
 * trimmed on the way in, as filters trim them, so what is stored can always be found.
 */
export const attributeValueSchema = z
  .string({ message: 'attribute values must be text' })
  .trim()
  .max(limits.attributeValueMax, {
    message: `attribute values must be at most ${limits.attributeValueMax} characters`,
  });

/** Looks at the raw keys: a JSON `__proto__` key never reaches the record's own key check. */
const withoutReservedKeys = z.custom<Record<string, string>>(
  (value) => typeof value !== 'object' || value === null || !Object.keys(value).some((key) => reservedKeys.has(key)),
  { message: 'attribute names __proto__, constructor and prototype are reserved' },
);

export const attributesSchema = withoutReservedKeys
  .pipe(z.record(attributeKeySchema, attributeValueSchema))
  .refine((attrs) => Object.keys(attrs).length <= limits.attributesMax, {
    message: `a device has at most ${limits.attributesMax} attributes`,
  });

export const deviceSchema = z.object({
  id: idSchema,
  name: z.string(),
  description: z.string(),
  groupId: idSchema,
  groupName: z.string(),
  attributes: z.record(z.string(), z.string()),
  state: z.enum(lifecycleStates),
  status: z.enum(deviceStatuses),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastSeenAt: z.string().nullable(),
});
export type Device = z.infer<typeof deviceSchema>;

export const registerDeviceInput = z.strictObject({
  name: nameSchema,
  description: descriptionSchema.default(''),
  groupId: idSchema,
  attributes: attributesSchema.default({}),
});
export type RegisterDeviceInput = z.input<typeof registerDeviceInput>;

export const attributeFilterSchema = z.strictObject({
  key: attributeKeySchema,
  value: attributeValueSchema,
});
export type AttributeFilter = z.infer<typeof attributeFilterSchema>;

export const listDevicesInput = z.strictObject({
  search: z.string().trim().max(limits.searchMax).optional(),
  groupId: idSchema.optional(),
  state: z.enum(lifecycleStates).optional(),
  status: z.enum(deviceStatuses).optional(),
  attribute: attributeFilterSchema.optional(),
  /** Opaque keyset cursor from the previous page; paging by offset slows down at 100,000 rows. */
  cursor: z.string().regex(/^\d+$/, { message: 'must be a cursor from a previous page' }).optional(),
  limit: z.number().int().min(1).max(limits.pageMax).default(100),
});
export type ListDevicesInput = z.input<typeof listDevicesInput>;
export type ListDevicesQuery = z.output<typeof listDevicesInput>;

export const devicePageSchema = z.object({
  items: z.array(deviceSchema),
  /** Counted on the first page only (null after): counting every scroll step would cost a full scan. */
  total: z.number().int().nonnegative().nullable(),
  nextCursor: z.string().nullable(),
});
export type DevicePage = z.infer<typeof devicePageSchema>;

export const deviceIdInput = z.strictObject({ id: idSchema });

export const setDeviceStatusInput = z.strictObject({
  id: idSchema,
  status: z.enum(deviceStatuses),
});
export type SetDeviceStatusInput = z.input<typeof setDeviceStatusInput>;

/**
 * Parses the operator's "key=value" filter text (`mac=00:11:22:33:44:55`). Only the first "="
 * splits, so values may contain "=" (base64 chip IDs do).
 */
export function parseAttributeFilter(text: string): AttributeFilter | null {
  const at = text.indexOf('=');
  if (at <= 0) return null;
  const parsed = attributeFilterSchema.safeParse({ key: text.slice(0, at).trim(), value: text.slice(at + 1).trim() });
  return parsed.success ? parsed.data : null;
}
