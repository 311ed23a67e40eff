import type { Database } from 'better-sqlite3';
import type { EventHub } from '../events/event-hub';
import {
  createDeviceGroup,
  deleteDeviceGroup,
  listDeviceGroups,
  renameDeviceGroup,
} from '../inventory/device-groups.repo';
import { deleteDevice, getDevice, listDevices, registerDevice, setDeviceStatus } from '../inventory/devices.repo';
import type { Handlers } from './dispatcher';

/** Binds the inventory calls of the contract to the store, announcing each change on the hub. */
export function inventoryHandlers(
  db: Database,
  hub: EventHub,
): Pick<
  Handlers,
  | 'deviceGroups.list'
  | 'deviceGroups.create'
  | 'deviceGroups.rename'
  | 'deviceGroups.delete'
  | 'devices.list'
  | 'devices.get'
  | 'devices.register'
  | 'devices.setStatus'
  | 'devices.delete'
> {
  return {
    'deviceGroups.list': () => listDeviceGroups(db),
    'deviceGroups.create': (input, ctx) => {
      const group = createDeviceGroup(db, input, ctx);
      hub.emit('deviceGroups.changed', { change: 'created', ids: [group.id] });
      return group;
    },
    'deviceGroups.rename': (input, ctx) => {
      const group = renameDeviceGroup(db, input, ctx);
      hub.emit('deviceGroups.changed', { change: 'renamed', ids: [group.id] });
      return group;
    },
    'deviceGroups.delete': (input, ctx) => {
      const result = deleteDeviceGroup(db, input, ctx);
      hub.emit('deviceGroups.changed', { change: 'deleted', ids: [result.id] });
      return result;
    },
    'devices.list': (input) => listDevices(db, input),
    'devices.get': (input) => getDevice(db, input),
    'devices.register': (input, ctx) => {
      const device = registerDevice(db, input, ctx);
      hub.emit('devices.changed', { change: 'registered', ids: [device.id] });
      return device;
    },
    'devices.setStatus': (input, ctx) => {
      const device = setDeviceStatus(db, input, ctx);
      hub.emit('devices.changed', { change: 'updated', ids: [device.id] });
      return device;
    },
    'devices.delete': (input, ctx) => {
      const device = deleteDevice(db, input, ctx);
      hub.emit('devices.changed', { change: 'deleted', ids: [device.id] });
      return device;
    },
  };
}
