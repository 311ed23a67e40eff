import { StationError } from '../../errors/station-error';
import type { DeviceDriver } from './device-driver';

const drivers = new Map<string, DeviceDriver>();

/** Drivers register themselves when their module loads; see ./index.ts for the built-in ones. */
export function registerDriver(driver: DeviceDriver): void {
  if (drivers.has(driver.name)) throw new Error(`a device driver named ${driver.name} is already registered`);
  drivers.set(driver.name, driver);
}

export function findDriver(name: string): DeviceDriver {
  const driver = drivers.get(name);
  if (!driver) {
    throw new StationError(
      'INVALID_INPUT',
      `There is no device driver named "${name}"; known drivers: ${[...drivers.keys()].join(', ') || 'none'}.`,
      { step: 'find-driver', params: { driver: name } },
    );
  }
  return driver;
}

export function listDrivers(): DeviceDriver[] {
  return [...drivers.values()];
}
