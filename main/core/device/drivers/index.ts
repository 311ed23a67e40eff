import { registerDriver } from './driver-registry';
import { trustlineDriver } from './trustline/trustline-driver';

// The built-in drivers. A new device family is one driver module and one line here.
registerDriver(trustlineDriver);

export { findDriver, listDrivers } from './driver-registry';
export type * from './device-driver';
