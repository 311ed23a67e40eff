import { registerDriver } from './driver-registry';
import { nrf91AtDriver } from './nrf91-at/nrf91-at-driver';
import { trustlineDriver } from './trustline/trustline-driver';

// The built-in drivers. A new device family is one driver module and one line here.
registerDriver(trustlineDriver);
registerDriver(nrf91AtDriver);

export { findDriver, listDrivers } from './driver-registry';
export type * from './device-driver';
