/**
 * Every permission a call can require. Roles are sets of these (see the built-in roles in
 * main/core/users); the names follow the seeds' "view / manage per resource" convention.
 */
export const permissions = [
  'devices.view',
  'devices.create',
  'devices.manage',
  'deviceGroups.view',
  'deviceGroups.manage',
  'cas.view',
  'cas.manage',
  'policies.view',
  'policies.manage',
  'certificates.view',
  'certificates.issue',
  'jobs.run',
  'line.view',
  'line.run',
  'recipes.manage',
  'qa.verify',
  'users.manage',
  'tokens.manage',
  'audit.view',
  'settings.manage',
] as const;

export type Permission = (typeof permissions)[number];

/**
 * What a call asks of its caller: a permission, or nothing at all for the few calls a person
 * makes before they are signed in (sign-in itself, the first-run step). Those handlers check
 * the session they need themselves.
 */
export const publicAccess = 'public' as const;
export type CallAccess = Permission | typeof publicAccess;
