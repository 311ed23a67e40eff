/**
 * Every permission a call can require. Roles (Device creator, Device administrator, Solution
 * administrator, Line operator, QA technician) are sets of these and arrive with the user model;
 * the names follow the seeds' "view / manage per resource" convention.
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
  'line.view',
  'line.run',
  'recipes.manage',
  'qa.verify',
] as const;

export type Permission = (typeof permissions)[number];
