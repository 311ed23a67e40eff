/**
 * What a simulated device keeps in "flash": identity, lifecycle and slot contents, as one JSON
 * file per device. Written to a temporary file and renamed, so a crash leaves the old state or
 * the new one, never half of each (the spec's atomic commit and lock).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KeyType, Lifecycle, SlotKind } from '../protocol';

export interface StoredSlot {
  id: number;
  kind: SlotKind;
  /** Chain and root slots: the most content bytes. 0 for key slots. */
  capacity: number;
  linkedSlot?: number;
  keyType?: KeyType;
  /** deviceKey: the PKCS#8 DER private key, base64. The simulator stores it in the clear; a real device never would. */
  privateKey?: string;
  /** certificateChain and rootCa: the committed content, base64. */
  content?: string;
}

export interface DeviceState {
  serialNumber: string;
  /** Hex. */
  chipId: string;
  /** Hex, 6 bytes. */
  macAddress: string;
  firmwareVersion: string;
  lifecycle: Lifecycle;
  slots: StoredSlot[];
}

export const SIM_FIRMWARE_VERSION = '1.0.0-sim';

/** The typical layout of the spec: a key, a chain certifying it (room for leaf + two CAs), roots. */
function freshSlots(): StoredSlot[] {
  return [
    { id: 0, kind: 'deviceKey', capacity: 0 },
    { id: 1, kind: 'certificateChain', capacity: 8192, linkedSlot: 0 },
    { id: 2, kind: 'rootCa', capacity: 4096 },
  ];
}

export function newDeviceState(serialNumber: string): DeviceState {
  const mac = randomBytes(6);
  // A locally administered unicast address: never collides with a real vendor's.
  mac.writeUInt8((mac.readUInt8(0) & 0xfc) | 0x02, 0);
  return {
    serialNumber,
    chipId: randomBytes(8).toString('hex'),
    macAddress: mac.toString('hex'),
    firmwareVersion: SIM_FIRMWARE_VERSION,
    lifecycle: 'open',
    slots: freshSlots(),
  };
}

/** Loads the state file, or creates it for a new device with this serial number. */
export function loadOrCreateState(file: string, serialNumber: string): DeviceState {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DeviceState;
  const state = newDeviceState(serialNumber);
  saveState(file, state);
  return state;
}

export function saveState(file: string, state: DeviceState): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, file);
}
