export * from './calls';
export * from './define';
export * from './device-group.schema';
export * from './device.schema';
export * from './errors';
export * from './events';
export * from './permissions';
export * from './transport';
