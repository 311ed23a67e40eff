import type { ByteLink } from '../transports/byte-link';

/**
 * What the provisioning flow needs from any device, whatever sits on the port: the station's own
 * protocol, an AT-command modem, or a future family. A new device family is a new driver, and
 * nothing above this interface changes.
 */

/** Device key types, named as the CA side names them. */
export type DeviceKeyType = 'EC-P256' | 'EC-P384' | 'Ed25519';

export interface DeviceIdentity {
  /** Kept as text: a scanned or reported serial keeps its leading zeros. */
  serialNumber: string;
  chipId: string | null;
  macAddress: string | null;
  firmwareVersion: string;
  /** Key types the device can generate itself. */
  keyTypes: DeviceKeyType[];
  /** 'locked' once provisioning was locked: writes are refused from then on. */
  lifecycle: 'open' | 'locked';
  /** What the driver negotiated, e.g. "trustline 1" or "nRF91 mfw_nrf9160_1.3.5". */
  protocol: string;
}

export interface GeneratedKey {
  /** DER SubjectPublicKeyInfo of the key the device made and keeps. */
  publicKey: Buffer;
  /** DER PKCS#10 signed by that key, when asked for (it proves possession at creation). */
  csr: Buffer | null;
}

export interface DeviceCredentials {
  /** DER certificates, the device's own first, then its issuers. */
  chain: Buffer[];
  /** DER trust anchors the device should trust, where it has a place for them. */
  trustAnchors: Buffer[];
}

/**
 * A device's answer to a challenge. `message` is exactly what the device signed (a driver may
 * add a context prefix so a device cannot be made to sign arbitrary data), to be verified with
 * the certified key and `hash` ("sha256", "sha384", or null for Ed25519).
 */
export interface PossessionProof {
  message: Buffer;
  signature: Buffer;
  hash: 'sha256' | 'sha384' | null;
}

export interface DeviceConnection {
  readonly driver: string;
  identify(): Promise<DeviceIdentity>;
  generateKey(options: {
    keyType: DeviceKeyType;
    output: 'csr' | 'publicKey';
    subject?: Buffer;
  }): Promise<GeneratedKey>;
  /** A station-generated key (PKCS#8 DER, in memory only), returned as the public key the device now holds. */
  writePrivateKey(keyType: DeviceKeyType, pkcs8: Buffer): Promise<Buffer>;
  writeCredentials(credentials: DeviceCredentials): Promise<void>;
  /** What the device holds now, read back byte for byte. */
  readCredentials(): Promise<DeviceCredentials>;
  /** Null when the device family has no way to sign a challenge (the driver says so in `reason`). */
  proveKeyPossession(challenge: Buffer): Promise<PossessionProof | { unsupported: string }>;
  /** Irreversible: after it, the device refuses credential writes. */
  lock(): Promise<void>;
  /** For rework, before lock only. */
  factoryReset(): Promise<void>;
  /** Stops using the link; does not close it. */
  release(): void;
}

export interface DeviceDriver {
  /** Stable name used in recipes and on the command line, e.g. "trustline", "nrf91-at". */
  readonly name: string;
  readonly title: string;
  /** Serial settings the device expects unless the recipe says otherwise. */
  readonly defaultBaudRate: number;
  connect(link: ByteLink): Promise<DeviceConnection>;
}
