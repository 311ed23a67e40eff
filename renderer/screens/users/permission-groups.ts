import type { Permission } from '../../../preload/contract';

/** How permissions are grouped in pickers and lists: by the part of the station they open. */
export const permissionGroups = [
  {
    key: 'inventory',
    permissions: ['devices.view', 'devices.create', 'devices.manage', 'deviceGroups.view', 'deviceGroups.manage'],
  },
  {
    key: 'pki',
    permissions: [
      'cas.view',
      'cas.manage',
      'policies.view',
      'policies.manage',
      'certificates.view',
      'certificates.issue',
      'jobs.run',
    ],
  },
  { key: 'production', permissions: ['line.view', 'line.run', 'recipes.manage', 'qa.verify'] },
  { key: 'administration', permissions: ['users.manage', 'tokens.manage', 'audit.view', 'settings.manage'] },
] as const satisfies readonly { key: string; permissions: readonly Permission[] }[];

type Grouped = (typeof permissionGroups)[number]['permissions'][number];
type Ungrouped = Exclude<Permission, Grouped>;

/** Fails to compile, naming the permission, when the contract gains one no group shows. */
export const everyPermissionGrouped: [Ungrouped] extends [never] ? true : Ungrouped = true;

/** The i18n key of a permission's name: 'devices.view' nests as permissions → devices → view. */
export const permissionLabelKey = (permission: Permission) => `users.permissions.${permission}`;
