// The public surface of hsm/: the station core imports from here only.
export * from './key-store';
export { openPkcs11KeyStore, listPkcs11Slots } from './pkcs11-key-store';
export type { Pkcs11KeyStoreOptions, Pkcs11SlotSummary, Pkcs11TokenSummary } from './pkcs11-key-store';
export { openSoftwareKeyStore } from './software-key-store';
export type { SoftwareKeyStoreOptions } from './software-key-store';
export {
  assertStationPin,
  defaultStationTokenLabel,
  describeStationKeyStoreChoice,
  minimumPinLength,
  openStationKeyStore,
} from './station-key-store';
export type { OpenedStationKeyStore, StationKeyStoreChoice, StationKeyStoreOptions } from './station-key-store';
export { findSoftHsmModule, softHsmModuleLocations } from './softhsm';
export type { SoftHsmModuleLocation } from './softhsm';
