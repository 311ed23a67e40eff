import { DEVICE_ERROR_CODES } from './error-codes';

/**
 * Why a message or frame could not be encoded or decoded. Each maps to the device error code a
 * device answers with when it is the receiver (`wireCode`).
 */
export const PROTOCOL_ERROR_CODES = {
  TRUNCATED_HEADER: DEVICE_ERROR_CODES.BAD_REQUEST,
  UNSUPPORTED_VERSION: DEVICE_ERROR_CODES.UNSUPPORTED_VERSION,
  UNKNOWN_KIND: DEVICE_ERROR_CODES.BAD_REQUEST,
  UNKNOWN_COMMAND: DEVICE_ERROR_CODES.UNKNOWN_COMMAND,
  TRUNCATED_FIELD: DEVICE_ERROR_CODES.BAD_REQUEST,
  MISSING_FIELD: DEVICE_ERROR_CODES.BAD_REQUEST,
  DUPLICATE_FIELD: DEVICE_ERROR_CODES.BAD_REQUEST,
  BAD_FIELD_LENGTH: DEVICE_ERROR_CODES.BAD_REQUEST,
  BAD_FIELD_VALUE: DEVICE_ERROR_CODES.BAD_REQUEST,
  UNKNOWN_CRITICAL_FIELD: DEVICE_ERROR_CODES.BAD_REQUEST,
  UNSUPPORTED_KEY_TYPE: DEVICE_ERROR_CODES.UNSUPPORTED_KEY_TYPE,
  MESSAGE_TOO_LARGE: DEVICE_ERROR_CODES.BAD_REQUEST,
  NO_COMMON_VERSION: DEVICE_ERROR_CODES.UNSUPPORTED_VERSION,
} as const;

export type ProtocolErrorCode = keyof typeof PROTOCOL_ERROR_CODES;

export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  /** The TLV tag concerned, when one is. */
  readonly tag: number | undefined;

  constructor(code: ProtocolErrorCode, message: string, options: { tag?: number } = {}) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.tag = options.tag;
  }

  /** The device error code a receiving device answers with. */
  get wireCode(): number {
    return PROTOCOL_ERROR_CODES[this.code];
  }
}

export function isProtocolError(error: unknown): error is ProtocolError {
  return error instanceof ProtocolError;
}
