import { z } from 'zod';
import { idSchema, nameSchema } from './device-group.schema';
import { permissions } from './permissions';

export const userLimits = {
  passwordMin: 12,
  passwordMax: 256,
  pinMin: 4,
  pinMax: 12,
  badgeMin: 4,
  badgeMax: 128,
  tokenDaysMax: 3650,
} as const;

export const usernameSchema = z
  .string({ message: 'must be text' })
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, {
    message: 'must be 2 to 64 characters: letters, digits, dot, dash or underscore, starting with a letter or digit',
  });

export const passwordSchema = z
  .string({ message: 'must be text' })
  .min(userLimits.passwordMin, { message: `must be at least ${userLimits.passwordMin} characters` })
  .max(userLimits.passwordMax, { message: `must be at most ${userLimits.passwordMax} characters` });

export const pinSchema = z
  .string({ message: 'must be text' })
  .regex(new RegExp(`^[0-9]{${userLimits.pinMin},${userLimits.pinMax}}$`), {
    message: `must be ${userLimits.pinMin} to ${userLimits.pinMax} digits`,
  });

/** What a badge reader types: printable ASCII, no spaces at either end. */
export const badgeSchema = z
  .string({ message: 'must be text' })
  .trim()
  .min(userLimits.badgeMin, { message: `must be at least ${userLimits.badgeMin} characters` })
  .max(userLimits.badgeMax, { message: `must be at most ${userLimits.badgeMax} characters` })
  .regex(/^[\x20-\x7e]+$/, { message: 'must be printable characters' });

export const permissionSchema = z.enum(permissions);
const permissionListSchema = z
  .array(permissionSchema)
  .min(1, { message: 'choose at least one permission' })
  .refine((list) => new Set(list).size === list.length, { message: 'a permission appears twice' });

export const userKinds = ['person', 'service'] as const;

export const sessionUserSchema = z.object({
  id: idSchema,
  username: z.string(),
  displayName: z.string(),
  kind: z.enum(userKinds),
});

export const sessionInfoSchema = z.object({
  user: sessionUserSchema,
  roles: z.array(z.string()),
  permissions: z.array(permissionSchema),
  /** Locked by idle time or by hand: only unlock (PIN or password) and sign-out work. */
  locked: z.boolean(),
  idleLockSeconds: z.number().int().positive(),
  hasPin: z.boolean(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export const authStateSchema = z.object({
  /** True until the first Solution administrator exists: the station asks for one and nothing else. */
  setupRequired: z.boolean(),
  session: sessionInfoSchema.nullable(),
});
export type AuthState = z.infer<typeof authStateSchema>;

export const signedInSchema = z.object({
  /** Presented with every later call by the transport; never stored on disk by the renderer. */
  sessionToken: z.string(),
  session: sessionInfoSchema,
});
export type SignedIn = z.infer<typeof signedInSchema>;

export const setupFirstAdminInput = z.strictObject({
  username: usernameSchema,
  displayName: nameSchema,
  password: passwordSchema,
  pin: pinSchema.optional(),
});

export const signInInput = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('password'), username: usernameSchema, password: z.string().max(256) }),
  z.strictObject({ method: z.literal('pin'), username: usernameSchema, pin: z.string().max(userLimits.pinMax) }),
  z.strictObject({ method: z.literal('badge'), badge: z.string().trim().min(1).max(userLimits.badgeMax) }),
]);
export type SignInInput = z.infer<typeof signInInput>;

export const unlockInput = z.union([
  z.strictObject({ pin: z.string().max(userLimits.pinMax) }),
  z.strictObject({ password: z.string().max(256) }),
]);

export const roleSchema = z.object({
  id: idSchema,
  name: z.string(),
  description: z.string(),
  builtIn: z.boolean(),
  permissions: z.array(permissionSchema),
  userCount: z.number().int().nonnegative(),
});
export type Role = z.infer<typeof roleSchema>;

export const createRoleInput = z.strictObject({
  name: nameSchema,
  description: z.string().trim().max(1024).default(''),
  permissions: permissionListSchema,
});

export const roleIdInput = z.strictObject({ id: idSchema });

export const userSchema = z.object({
  id: idSchema,
  username: z.string(),
  displayName: z.string(),
  kind: z.enum(userKinds),
  roleIds: z.array(idSchema),
  /** A service user's own permissions; a person's come from their roles. */
  permissions: z.array(permissionSchema),
  hasPassword: z.boolean(),
  hasPin: z.boolean(),
  hasBadge: z.boolean(),
  disabled: z.boolean(),
  failedSignIns: z.number().int().nonnegative(),
  lockedUntil: z.string().nullable(),
  createdAt: z.string(),
});
export type User = z.infer<typeof userSchema>;

const roleIdsSchema = z
  .array(idSchema)
  .min(1, { message: 'choose at least one role' })
  .refine((list) => new Set(list).size === list.length, { message: 'a role appears twice' });

export const createUserInput = z.strictObject({
  username: usernameSchema,
  displayName: nameSchema,
  roleIds: roleIdsSchema,
  password: passwordSchema.optional(),
  pin: pinSchema.optional(),
  badge: badgeSchema.optional(),
});

export const updateUserInput = z.strictObject({
  id: idSchema,
  displayName: nameSchema.optional(),
  roleIds: roleIdsSchema.optional(),
  password: passwordSchema.optional(),
  /** null removes the PIN or the badge. */
  pin: pinSchema.nullable().optional(),
  badge: badgeSchema.nullable().optional(),
  disabled: z.boolean().optional(),
});

export const createServiceUserInput = z.strictObject({
  name: usernameSchema,
  displayName: nameSchema,
  permissions: permissionListSchema,
});

export const userIdInput = z.strictObject({ id: idSchema });

export const apiTokenSchema = z.object({
  id: idSchema,
  name: z.string(),
  /** The first characters of the secret, enough to tell tokens apart in a list. */
  prefix: z.string(),
  userId: idSchema,
  username: z.string(),
  userKind: z.enum(userKinds),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;

export const createTokenInput = z.strictObject({
  name: nameSchema,
  /** Omitted: the token never expires (revoke it by hand). */
  expiresInDays: z.number().int().min(1).max(userLimits.tokenDaysMax).optional(),
  /** A token for a service user (needs users.manage); omitted, the token acts as its creator. */
  serviceUserId: idSchema.optional(),
});

export const createdTokenSchema = z.object({
  /** Shown once: the station keeps only its hash. */
  secret: z.string(),
  token: apiTokenSchema,
});

export const tokenIdInput = z.strictObject({ id: idSchema });
