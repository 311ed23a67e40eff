import { type Permission, permissions } from '../../../preload/contract';

export interface BuiltInRole {
  /** Fixed across stations, so a central server and the CLI can name a built-in role by ID. */
  id: string;
  name: string;
  description: string;
  permissions: readonly Permission[];
}

/**
 * The roles the industry names (the seeds' Device creator, Device administrator and Solution
 * administrator) plus the two that stand at the line. Written into the store at every start,
 * so a new station version's change to a built-in role reaches existing stations.
 */
export const builtInRoles: readonly BuiltInRole[] = [
  {
    id: '0b5c6d1e-0000-4000-8000-000000000001',
    name: 'Line operator',
    description: 'Runs the line: starts and stops it, scans labels, watches the tiles.',
    permissions: ['line.view', 'line.run', 'devices.view'],
  },
  {
    id: '0b5c6d1e-0000-4000-8000-000000000002',
    name: 'QA technician',
    description: 'Inspects provisioned devices, files QA verdicts and lot reports.',
    permissions: ['line.view', 'qa.verify', 'devices.view', 'certificates.view'],
  },
  {
    id: '0b5c6d1e-0000-4000-8000-000000000003',
    name: 'Device creator',
    description: 'Registers devices one by one or in batches.',
    permissions: ['devices.view', 'devices.create', 'deviceGroups.view', 'policies.view', 'jobs.run', 'tokens.manage'],
  },
  {
    id: '0b5c6d1e-0000-4000-8000-000000000004',
    name: 'Device administrator',
    description: 'Manages devices and requests certificates for managed and unmanaged devices, single or batch.',
    permissions: [
      'devices.view',
      'devices.create',
      'devices.manage',
      'deviceGroups.view',
      'policies.view',
      'cas.view',
      'certificates.view',
      'certificates.issue',
      'jobs.run',
      'line.view',
      'tokens.manage',
    ],
  },
  {
    id: '0b5c6d1e-0000-4000-8000-000000000005',
    name: 'Solution administrator',
    description: 'Manages device groups, policies, CAs, recipes, users, tokens and settings; sees the audit log.',
    permissions: [...permissions],
  },
];

export const solutionAdministrator = builtInRoles[4] as BuiltInRole;

export function builtInRoleNamed(name: string): BuiltInRole | undefined {
  return builtInRoles.find((role) => role.name.toLowerCase() === name.toLowerCase());
}
