/** The station <-> device protocol, version 1: framing, messages, negotiation. Pure: no I/O. */
export * from './codes';
export { cobsDecode, cobsEncode, cobsMaxEncodedLength, CobsError } from './cobs';
export { crc32, CRC32_CHECK_VALUE } from './crc32';
export { DEVICE_ERROR_CODES, deviceErrorName, type DeviceErrorName } from './error-codes';
export {
  encodeFrame,
  FRAME_CRC_SIZE,
  FRAME_DELIMITER,
  FrameDecoder,
  MAX_ENCODED_FRAME_SIZE,
  MAX_FRAME_SIZE,
  MAX_MESSAGE_SIZE,
  type FrameErrorReason,
  type FrameEvent,
} from './frame-codec';
export type {
  ErrorMessage,
  IdentifyResponseBody,
  Message,
  RequestBody,
  RequestMessage,
  RequestOf,
  ResponseBody,
  ResponseMessage,
  ResponseOf,
  SlotInfo,
} from './message-types';
export { decodeMessage, encodeMessage } from './messages';
export { capabilityFor, chunkSizeFor, hasCapability, negotiateVersion } from './negotiation';
export { POP_SIGNATURE_DIGEST, proofOfPossessionMessage } from './proof-of-possession';
export { isProtocolError, PROTOCOL_ERROR_CODES, ProtocolError, type ProtocolErrorCode } from './protocol-error';
export { decodeTlvs, encodeTlv, TLV_HEADER_SIZE, type TlvField } from './tlv';
export {
  BUSY_RETRY_DELAY_MS,
  COMMAND_TIMEOUTS_MS,
  DEVICE_CHUNK_TURNAROUND_MS,
  MAX_ATTEMPTS,
  MAX_BUSY_RETRIES,
  nextSeq,
  requestTimeoutMs,
  WRITE_CHAIN_COMMIT_TIMEOUT_MS,
} from './timing';
