/**
 * Frames on the wire: COBS(message || CRC-32(message) big-endian) followed by one 0x00. See
 * resources/device-protocol.md, "Framing".
 */
import { CobsError, cobsDecode, cobsEncode, cobsMaxEncodedLength } from './cobs';
import { crc32 } from './crc32';
import { ProtocolError } from './protocol-error';

/** The largest message (header + TLV body) either side sends or accepts. */
export const MAX_MESSAGE_SIZE = 4160;
/** Bytes of CRC-32 after the message inside a frame. */
export const FRAME_CRC_SIZE = 4;
/** The largest decoded frame: message + CRC. */
export const MAX_FRAME_SIZE = MAX_MESSAGE_SIZE + FRAME_CRC_SIZE;
/** The largest COBS-encoded frame, not counting its 0x00 delimiter. */
export const MAX_ENCODED_FRAME_SIZE = cobsMaxEncodedLength(MAX_FRAME_SIZE);
/** The frame delimiter. */
export const FRAME_DELIMITER = 0x00;

export type FrameErrorReason = 'crc' | 'cobs' | 'oversize';

export type FrameEvent = { kind: 'frame'; message: Buffer } | { kind: 'error'; reason: FrameErrorReason };

/** COBS(message || CRC-32 big-endian) + 0x00. Throws MESSAGE_TOO_LARGE above MAX_MESSAGE_SIZE. */
export function encodeFrame(message: Uint8Array): Buffer {
  if (message.length > MAX_MESSAGE_SIZE) {
    throw new ProtocolError(
      'MESSAGE_TOO_LARGE',
      `message of ${message.length} bytes exceeds the ${MAX_MESSAGE_SIZE}-byte maximum`,
    );
  }
  const raw = Buffer.allocUnsafe(message.length + FRAME_CRC_SIZE);
  raw.set(message, 0);
  raw.writeUInt32BE(crc32(message), message.length);
  const encoded = cobsEncode(raw);
  const frame = Buffer.allocUnsafe(encoded.length + 1);
  encoded.copy(frame, 0);
  frame[encoded.length] = FRAME_DELIMITER;
  return frame;
}

/**
 * Turns a byte stream, cut into chunks anyhow, into frames. Until the first 0x00 it has seen
 * (power-on, port opened mid-frame) it drops bytes silently. Empty frames (0x00 runs) are
 * ignored. A frame that fails COBS, fails its CRC (or is shorter than a CRC), or grows past the
 * maximum is reported once as an error event; the decoder then carries on with the next frame.
 */
export class FrameDecoder {
  private readonly maxMessageSize: number;
  private readonly maxEncodedSize: number;
  private readonly buffer: Buffer;
  private length = 0;
  private synced = false;
  private discarding = false;

  constructor(options: { maxMessageSize?: number } = {}) {
    this.maxMessageSize = options.maxMessageSize ?? MAX_MESSAGE_SIZE;
    this.maxEncodedSize = cobsMaxEncodedLength(this.maxMessageSize + FRAME_CRC_SIZE);
    this.buffer = Buffer.alloc(this.maxEncodedSize);
  }

  /** Forgets any partial frame and waits for a 0x00 again, as after power-on. */
  reset(): void {
    this.length = 0;
    this.synced = false;
    this.discarding = false;
  }

  /**
   * Ends the initial synchronisation: the next byte starts a frame, as if a 0x00 had just been
   * received. For a receiver that knows the line is at a frame boundary: the station, which starts
   * every exchange, is once it sends its 0x00 and a request, so the device's answer is decoded
   * even when the device sent its power-on 0x00 before the port was opened. Once synchronised this
   * does nothing, so a frame already arriving (a late answer to a retried request) is kept whole.
   */
  markSynchronized(): void {
    if (this.synced) return;
    this.length = 0;
    this.synced = true;
    this.discarding = false;
  }

  push(chunk: Uint8Array): FrameEvent[] {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const events: FrameEvent[] = [];
    let pos = 0;
    while (pos < bytes.length) {
      const zero = bytes.indexOf(FRAME_DELIMITER, pos);
      const end = zero === -1 ? bytes.length : zero;
      if (!this.synced) {
        if (zero === -1) break;
        this.synced = true;
        pos = zero + 1;
        continue;
      }
      if (!this.discarding) {
        const count = end - pos;
        if (this.length + count > this.maxEncodedSize) {
          events.push({ kind: 'error', reason: 'oversize' });
          this.discarding = true;
          this.length = 0;
        } else {
          bytes.copy(this.buffer, this.length, pos, end);
          this.length += count;
        }
      }
      if (zero === -1) break;
      if (this.discarding) this.discarding = false;
      else if (this.length > 0) events.push(this.finishFrame());
      this.length = 0;
      pos = zero + 1;
    }
    return events;
  }

  private finishFrame(): FrameEvent {
    let decoded: Buffer;
    try {
      decoded = cobsDecode(this.buffer.subarray(0, this.length));
    } catch (error) {
      if (error instanceof CobsError) return { kind: 'error', reason: 'cobs' };
      throw error;
    }
    if (decoded.length > this.maxMessageSize + FRAME_CRC_SIZE) return { kind: 'error', reason: 'oversize' };
    if (decoded.length < FRAME_CRC_SIZE) return { kind: 'error', reason: 'crc' };
    const messageLength = decoded.length - FRAME_CRC_SIZE;
    const message = decoded.subarray(0, messageLength);
    if (crc32(message) !== decoded.readUInt32BE(messageLength)) return { kind: 'error', reason: 'crc' };
    return { kind: 'frame', message: Buffer.from(message) };
  }
}
