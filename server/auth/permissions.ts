import { z } from 'zod';

export const permissions = [
  'stations.manage',
  'config.manage',
  'records.view',
  'devices.manage',
  'users.manage',
] as const;
export type Permission = (typeof permissions)[number];
export const permissionSchema = z.enum(permissions);

export const isPermission = (value: string): value is Permission => (permissions as readonly string[]).includes(value);
