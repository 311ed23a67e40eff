import { z } from 'zod';
import { defineCall } from './define';
import {
  createDeviceGroupInput,
  deviceGroupIdInput,
  deviceGroupSchema,
  renameDeviceGroupInput,
} from './device-group.schema';
import {
  deviceIdInput,
  devicePageSchema,
  deviceSchema,
  listDevicesInput,
  registerDeviceInput,
  setDeviceStatusInput,
} from './device.schema';

/**
 * Every call the renderer can make, declared once. The Electron adapter, the loopback bridge
 * and the renderer's client are all driven by this table; a name that is not here does not exist.
 */
export const calls = {
  'deviceGroups.list': defineCall({
    summary: 'List device groups with their device counts',
    input: z.strictObject({}),
    output: z.array(deviceGroupSchema),
    permission: 'deviceGroups.view',
  }),
  'deviceGroups.create': defineCall({
    summary: 'Create a device group',
    input: createDeviceGroupInput,
    output: deviceGroupSchema,
    permission: 'deviceGroups.manage',
  }),
  'deviceGroups.rename': defineCall({
    summary: 'Rename a device group',
    input: renameDeviceGroupInput,
    output: deviceGroupSchema,
    permission: 'deviceGroups.manage',
  }),
  'deviceGroups.delete': defineCall({
    summary: 'Delete a device group that has no devices',
    input: deviceGroupIdInput,
    output: z.object({ id: z.string() }),
    permission: 'deviceGroups.manage',
  }),
  'devices.list': defineCall({
    summary: 'One page of devices, searched and filtered',
    input: listDevicesInput,
    output: devicePageSchema,
    permission: 'devices.view',
  }),
  'devices.get': defineCall({
    summary: 'One device by ID',
    input: deviceIdInput,
    output: deviceSchema,
    permission: 'devices.view',
  }),
  'devices.register': defineCall({
    summary: 'Register a single device in a group',
    input: registerDeviceInput,
    output: deviceSchema,
    permission: 'devices.create',
  }),
  'devices.setStatus': defineCall({
    summary: 'Enable or disable a device',
    input: setDeviceStatusInput,
    output: deviceSchema,
    permission: 'devices.manage',
  }),
  'devices.delete': defineCall({
    summary: 'Mark a device Deleted; the record stays for the audit trail',
    input: deviceIdInput,
    output: deviceSchema,
    permission: 'devices.manage',
  }),
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type CallInput<N extends CallName> = z.input<Calls[N]['input']>;
export type CallParsedInput<N extends CallName> = z.output<Calls[N]['input']>;
export type CallOutput<N extends CallName> = z.output<Calls[N]['output']>;

export const callNames = Object.keys(calls) as CallName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name);
}
