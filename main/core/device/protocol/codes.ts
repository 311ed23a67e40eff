/**
 * The numbers of protocol version 1: header layout, message kinds, command codes, TLV tags and
 * the enumerations carried in fields. resources/device-protocol.md is the specification; every
 * value here appears there.
 */

/** The protocol versions this station speaks, oldest first. */
export const PROTOCOL_VERSION = 1;
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [PROTOCOL_VERSION];

/** Header: version u8, kind u8, sequence u16 BE, command u8, flags u8 (0, ignored on receipt). */
export const HEADER_SIZE = 6;

export const MESSAGE_KINDS = { request: 0x01, response: 0x02, error: 0x03 } as const;
export type MessageKind = keyof typeof MESSAGE_KINDS;

export const COMMAND_CODES = {
  identify: 0x01,
  generateKey: 0x02,
  writeKey: 0x03,
  writeChain: 0x04,
  readSlot: 0x05,
  signChallenge: 0x06,
  lock: 0x07,
  factoryReset: 0x08,
} as const;
export type CommandName = keyof typeof COMMAND_CODES;

/** TLV tags: one space for all messages. 0x80..0xFE are critical: a receiver that does not know one refuses the message. */
export const TAGS = {
  PROTOCOL_VERSIONS: 0x01,
  CAPABILITIES: 0x02,
  MAX_MESSAGE_SIZE: 0x03,
  SERIAL_NUMBER: 0x04,
  CHIP_ID: 0x05,
  MAC_ADDRESS: 0x06,
  FIRMWARE_VERSION: 0x07,
  KEY_TYPES: 0x08,
  SLOT_INFO: 0x09,
  LIFECYCLE: 0x0a,
  SLOT: 0x10,
  KEY_TYPE: 0x11,
  OUTPUT: 0x12,
  SUBJECT: 0x13,
  CSR: 0x14,
  PUBLIC_KEY: 0x15,
  PRIVATE_KEY: 0x16,
  OFFSET: 0x17,
  TOTAL_LENGTH: 0x18,
  DATA: 0x19,
  MAX_LENGTH: 0x1a,
  CHALLENGE: 0x1b,
  SIGNATURE: 0x1c,
  CONFIRM: 0x1d,
  NEXT_OFFSET: 0x1e,
  DIGEST: 0x1f,
  ERROR_CODE: 0x20,
  ERROR_MESSAGE: 0x21,
} as const;
export type TagName = keyof typeof TAGS;

/** Tags from here up (to 0xFE) must be understood by the receiver. */
export const FIRST_CRITICAL_TAG = 0x80;

export const KEY_TYPE_CODES = { ecP256: 0x01, ecP384: 0x02, ed25519: 0x03 } as const;
export type KeyType = keyof typeof KEY_TYPE_CODES;

/** Private-key lengths in WRITE_KEY: the raw scalar (EC) or the RFC 8032 seed (Ed25519). */
export const PRIVATE_KEY_LENGTHS: Readonly<Record<KeyType, number>> = { ecP256: 32, ecP384: 48, ed25519: 32 };

export const KEY_OUTPUT_CODES = { csr: 0x01, publicKey: 0x02 } as const;
export type KeyOutput = keyof typeof KEY_OUTPUT_CODES;

export const SLOT_KIND_CODES = { deviceKey: 0x01, certificateChain: 0x02, rootCa: 0x03 } as const;
export type SlotKind = keyof typeof SLOT_KIND_CODES;

export const LIFECYCLE_CODES = { open: 0x01, locked: 0x02 } as const;
export type Lifecycle = keyof typeof LIFECYCLE_CODES;

/** CAPABILITIES (u32 BE) bits. IDENTIFY, WRITE_CHAIN, READ_SLOT, SIGN_CHALLENGE and LOCK are mandatory. */
export const CAPABILITY_BITS = {
  keyGeneration: 0x0000_0001,
  csr: 0x0000_0002,
  keyImport: 0x0000_0004,
  factoryReset: 0x0000_0008,
} as const;
export type Capability = keyof typeof CAPABILITY_BITS;

/** The CONFIRM values that guard the two state-changing commands ("LOCK" and "WIPE" in ASCII). */
export const LOCK_CONFIRM = 0x4c4f434b;
export const FACTORY_RESET_CONFIRM = 0x57495045;

/** SLOT_INFO value: 12 bytes. Slot id 0xFF is reserved and means "no slot" in linkedSlot. */
export const SLOT_INFO_SIZE = 12;
export const NO_SLOT = 0xff;
export const SLOT_FLAG_OCCUPIED = 0x01;

/** Chunked transfers carry at most this many DATA bytes per message. */
export const MAX_CHUNK_SIZE = 4096;
/** Header + SLOT + OFFSET + TOTAL_LENGTH + DATA's tag and length: the overhead of a chunk message. */
export const CHUNK_MESSAGE_OVERHEAD = HEADER_SIZE + (3 + 1) + (3 + 4) + (3 + 4) + 3;

export const CHALLENGE_MIN_SIZE = 32;
export const CHALLENGE_MAX_SIZE = 256;

/** Prefixed to the challenge before signing (ASCII, then one 0x00): see proof-of-possession.ts. */
export const POP_CONTEXT = 'Trustline proof of possession v1';
