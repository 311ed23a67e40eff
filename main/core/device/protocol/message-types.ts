/**
 * The typed model of every protocol message. Values stay as the wire has them: byte strings as
 * Buffers, text as strings (serial numbers are strings: leading zeros matter), integers as
 * numbers, enumerations by name.
 */
import type { Capability, CommandName, KeyOutput, KeyType, Lifecycle, SlotKind } from './codes';

/** One credential slot as IDENTIFY describes it. */
export interface SlotInfo {
  /** 0x00..0xFE. */
  id: number;
  kind: SlotKind;
  occupied: boolean;
  /** A filled deviceKey slot: its key's type. */
  keyType?: KeyType;
  /** A certificateChain slot: the deviceKey slot whose public key its leaf certifies. */
  linkedSlot?: number;
  /** Chain and root slots: the most bytes of content they hold. 0 for key slots. */
  capacity: number;
}

export type RequestBody =
  | { command: 'identify' }
  | { command: 'generateKey'; slot: number; keyType: KeyType; output: KeyOutput; subject?: Buffer }
  | { command: 'writeKey'; slot: number; keyType: KeyType; privateKey: Buffer }
  | { command: 'writeChain'; slot: number; offset: number; totalLength: number; data: Buffer }
  | { command: 'readSlot'; slot: number; offset: number; maxLength: number }
  | { command: 'signChallenge'; slot: number; challenge: Buffer }
  | { command: 'lock' }
  | { command: 'factoryReset' };

export interface IdentifyResponseBody {
  command: 'identify';
  protocolVersions: number[];
  capabilities: Capability[];
  maxMessageSize: number;
  serialNumber: string;
  chipId: Buffer;
  /** EUI-48, 6 bytes; absent on devices without one. */
  macAddress?: Buffer;
  firmwareVersion: string;
  keyTypes: KeyType[];
  slots: SlotInfo[];
  lifecycle: Lifecycle;
}

export type ResponseBody =
  | IdentifyResponseBody
  | { command: 'generateKey'; slot: number; keyType: KeyType; publicKey: Buffer; csr?: Buffer }
  | { command: 'writeKey'; slot: number; publicKey: Buffer }
  | { command: 'writeChain'; slot: number; nextOffset: number; digest?: Buffer }
  | { command: 'readSlot'; slot: number; offset: number; totalLength: number; data: Buffer }
  | { command: 'signChallenge'; slot: number; signature: Buffer }
  | { command: 'lock' }
  | { command: 'factoryReset' };

export type RequestMessage = { kind: 'request'; seq: number } & RequestBody;
export type ResponseMessage = { kind: 'response'; seq: number } & ResponseBody;

export interface ErrorMessage {
  kind: 'error';
  seq: number;
  command: CommandName;
  /** A DEVICE_ERROR_CODES value, or a code from a newer device this station does not name. */
  code: number;
  message?: string;
}

export type Message = RequestMessage | ResponseMessage | ErrorMessage;

/** A request of one command, e.g. `RequestOf<'readSlot'>`. */
export type RequestOf<C extends CommandName> = Extract<RequestMessage, { command: C }>;
/** A response of one command. */
export type ResponseOf<C extends CommandName> = Extract<ResponseMessage, { command: C }>;
