/**
 * The error codes a device sends in an ERROR message (tag ERROR_CODE, u16 big-endian). Values
 * are stable: a code is never renumbered or reused. A station that receives a code it does not
 * know treats it like INTERNAL and shows the number.
 */
export const DEVICE_ERROR_CODES = {
  /** The command byte is not known, or names an optional command the device does not offer. */
  UNKNOWN_COMMAND: 0x0001,
  /** The body is malformed: truncated field, missing or duplicate field, wrong length or value. */
  BAD_REQUEST: 0x0002,
  /** The header's protocol version is not one the device speaks (IDENTIFY is always answered). */
  UNSUPPORTED_VERSION: 0x0003,
  /** KEY_TYPE names a key type the device cannot generate or import. */
  UNSUPPORTED_KEY_TYPE: 0x0004,
  /** OUTPUT = CSR asked of a device without the CSR capability. */
  UNSUPPORTED_OUTPUT: 0x0005,
  /** No slot with that id. */
  SLOT_NOT_FOUND: 0x0010,
  /** The slot exists but is of the wrong kind for the command (e.g. a key into a chain slot). */
  WRONG_SLOT_KIND: 0x0011,
  /** READ_SLOT or SIGN_CHALLENGE on a slot that holds nothing. */
  SLOT_EMPTY: 0x0012,
  /** A write to a slot that is already filled; FACTORY_RESET clears slots for rework. */
  SLOT_OCCUPIED: 0x0013,
  /** TOTAL_LENGTH exceeds the slot's capacity, or the device has no room left. */
  STORAGE_FULL: 0x0014,
  /** A chunk does not continue the staged transfer, or a read offset is past the end. */
  BAD_OFFSET: 0x0015,
  /** A written private key is out of range for its key type. */
  INVALID_KEY: 0x0016,
  /** SUBJECT is not exactly one DER SEQUENCE. */
  INVALID_SUBJECT: 0x0017,
  /** Chain or root content is not a concatenation of DER SEQUENCEs. */
  INVALID_CONTENT: 0x0018,
  /** The device is locked: key and chain writes and factory reset are refused for good. */
  DEVICE_LOCKED: 0x0020,
  /** The device cannot take the request now; retry the same request after 100 ms. Never replayed. */
  BUSY: 0x0030,
  /** Writing, erasing or verifying storage failed; the slot is unchanged. */
  STORAGE_FAILURE: 0x0031,
  /** Anything else (RNG failure, crypto failure, assertion). */
  INTERNAL: 0x0032,
} as const;

export type DeviceErrorName = keyof typeof DEVICE_ERROR_CODES;

const NAMES = new Map<number, DeviceErrorName>(
  Object.entries(DEVICE_ERROR_CODES).map(([name, code]) => [code, name as DeviceErrorName]),
);

/** The stable name of a device error code, or undefined for a code this station does not know. */
export function deviceErrorName(code: number): DeviceErrorName | undefined {
  return NAMES.get(code);
}
