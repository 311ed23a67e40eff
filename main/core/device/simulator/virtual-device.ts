/**
 * A simulated device: the firmware side of the protocol (resources/device-protocol.md) on the
 * device end of a PTY pair. It keeps its identity, lifecycle and slots in a JSON state file, so
 * a restarted simulator is the same device with the same keys. It is a simulator: its P-256
 * private keys are made by node:crypto and stored in that file in the clear, which a real device
 * must never do.
 *
 * Behaviour a station must be able to rely on, and that the tests check through it: one request
 * at a time, the one-entry replay cache (a retried request is answered from the cache, never
 * executed twice), lock and reset rules, atomic commits, and output paced to the baud rate.
 */
import { createHash, type KeyObject } from 'node:crypto';
import {
  crc32,
  decodeMessage,
  DEVICE_ERROR_CODES,
  encodeFrame,
  encodeMessage,
  encodeTlv,
  FrameDecoder,
  isProtocolError,
  MAX_MESSAGE_SIZE,
  PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  TAGS,
  type DeviceErrorName,
  type RequestMessage,
  type RequestOf,
  type ResponseBody,
  type ResponseMessage,
} from '../protocol';
import type { ByteLink } from '../transports/byte-link';
import { isSequenceRun } from './der-lite';
import {
  buildCsr,
  exportPrivateKey,
  generateP256,
  importP256,
  loadPrivateKey,
  signProofOfPossession,
  spkiOf,
} from './device-keys';
import { loadOrCreateState, saveState, type DeviceState, type StoredSlot } from './device-state';
import { damageBytes, REFUSE_LOCK_ERROR, type DeviceFaults } from './faults';
import { createPacedOutput } from './paced-output';
import { seededRandom } from './seeded-random';

export interface VirtualDeviceOptions {
  /** The device end of the line. */
  link: ByteLink;
  /** The device's "flash". Created on first start with `serialNumber`; later starts load it. */
  stateFile: string;
  serialNumber: string;
  /** Output is paced to baudRate / 10 bytes per second (8N1). */
  baudRate: number;
  /**
   * Fault injection: each response frame is lost on the line (never sent) with this probability,
   * so the station's timeout, retry and the replay cache get exercised. Default 0.
   */
  dropRate?: number;
  /** Seed for dropRate and the faults' randomness, so a run's losses are reproducible. */
  seed?: number;
  /** Faults this device shows the station (see faults.ts); default none. */
  faults?: DeviceFaults;
  /** With faults.duplicateSerialOf: the serial number IDENTIFY reports instead of its own. */
  reportedSerialNumber?: string;
  /**
   * With faults.unplug: called when the device "goes away" mid chain write. The simulator closes
   * the PTY pair there (socat stopped), so the station's port really disappears.
   */
  onUnplug?: () => void;
  /**
   * Called once when the station has moved on from this locked device: three IDENTIFY requests
   * in a row, nothing else between, after the device is locked (the station polling for the next
   * board; a driver may itself send two in a row before reading a slot), each within 0.4 s of the
   * one before, so a station that was killed and restarts starts the count again. An operator
   * takes a board away when the station shows it done, not the moment it locks: a station killed
   * between LOCK and recording PASS finds the board still there.
   */
  onFinished?: () => void;
  /**
   * 'locked': onFinished follows the LOCK answer at once, like a pick-and-place handler that
   * takes every locked board (benchmarks of the station's own pace). Default 'station-moves-on'.
   */
  finishedWhen?: 'station-moves-on' | 'locked';
  /** Overrides the certificate-chain slot's capacity (the bench writes 48 KiB through it). */
  chainSlotCapacity?: number;
  /**
   * Whether every response frame is preceded by a 0x00 (default true). The spec only asks a device
   * for one 0x00 at power-on; false behaves like such a device, so a test can check that the
   * station does not depend on the extra delimiter.
   */
  leadingDelimiter?: boolean;
}

export interface VirtualDeviceStats {
  /** Requests executed (each at most once per sequence number and CRC). */
  executed: number;
  /** Requests answered from the replay cache. */
  replayed: number;
  /** Response frames dropped by dropRate. */
  dropped: number;
  /** Received frames with a bad CRC, COBS or size: dropped without an answer. */
  framingErrors: number;
  /** GENERATE_KEY executions that made a key (a retry answered from the cache makes none). */
  keysGenerated: number;
  /** Output bytes lost or damaged by faults.drop / faults.corrupt. */
  bytesDropped: number;
  bytesCorrupted: number;
  /** Responses cut off by faults.stall, and retries of it left unanswered. */
  stalls: number;
  stalledRetries: number;
  /** True once faults.unplug has fired. */
  unplugged: boolean;
}

export interface VirtualDevice {
  readonly serialNumber: string;
  readonly stats: Readonly<VirtualDeviceStats>;
  /** A copy of the persisted state (tests look at slots and keys). */
  snapshot(): DeviceState;
  /** Stops answering and closes the device end of the link. */
  close(): Promise<void>;
  /**
   * Stops answering but leaves the link open for the next device: a board swap that loses no
   * byte already on its way and leaves no moment in which a request finds nobody listening.
   */
  detach(): void;
}

/** IDENTIFYs further apart than this are not one station's polling (see onFinished). */
const POLL_GAP_MS = 400;

/** keyGeneration | csr | keyImport | factoryReset. */
const CAPABILITIES = ['keyGeneration', 'csr', 'keyImport', 'factoryReset'] as const;

/** A request the device refuses with an ERROR message. */
class Refusal extends Error {
  constructor(
    readonly code: DeviceErrorName,
    message: string,
  ) {
    super(message);
  }
}

interface StagedTransfer {
  slot: number;
  totalLength: number;
  nextOffset: number;
  chunks: Buffer[];
}

export function startVirtualDevice(options: VirtualDeviceOptions): VirtualDevice {
  const { link, stateFile } = options;
  const state = loadOrCreateState(stateFile, options.serialNumber);
  const decoder = new FrameDecoder();
  const output = createPacedOutput(link, options.baudRate);
  const dropRate = options.dropRate ?? 0;
  const random = seededRandom(options.seed ?? 1);
  const faults: DeviceFaults = options.faults ?? {};
  const faultRandom = seededRandom(((options.seed ?? 1) * 7919 + 17) >>> 0);
  const stats: VirtualDeviceStats = {
    executed: 0,
    replayed: 0,
    dropped: 0,
    framingErrors: 0,
    keysGenerated: 0,
    bytesDropped: 0,
    bytesCorrupted: 0,
    stalls: 0,
    stalledRetries: 0,
    unplugged: false,
  };
  if (options.chainSlotCapacity !== undefined) {
    for (const slot of state.slots) if (slot.kind === 'certificateChain') slot.capacity = options.chainSlotCapacity;
  }
  /** faults.stall: armed at power-on; while `stalled`, retries of the cut-off request get nothing. */
  let stallArmed = faults.stall === true;
  /** faults.lockSilent: armed at power-on; the LOCK that locks swallows its answer. */
  let lockSilenceArmed = faults.lockSilent === true;
  let silenceThisAnswer = false;
  let stalled: { seq: number; crc: number } | undefined;
  /** faults.unplug: set by WRITE_CHAIN when the device is to go away instead of answering. */
  let unplugNow = false;
  /** IDENTIFYs in a row while locked; at 3, onFinished follows once the answer is on the line. */
  let identifiesWhileLocked = 0;
  let lastIdentifyAt = 0;
  let finishedNow = false;
  /** faults.wrongPopKey: the key it signs with instead of the slot's (RAM only). */
  let decoyKey: KeyObject | undefined;
  // The replay cache lives in RAM: empty after "power-on", like the spec says.
  let cache: { seq: number; crc: number; response: Buffer } | undefined;
  let staged: StagedTransfer | undefined;
  let closed = false;
  const reportedSerial =
    faults.duplicateSerialOf !== undefined && options.reportedSerialNumber
      ? options.reportedSerialNumber
      : state.serialNumber;

  const persist = () => saveState(stateFile, state);

  /** Bytes onto the line, through faults.drop / faults.corrupt. */
  const emit = (bytes: Buffer) => output.send(damageBytes(bytes, faults, faultRandom, stats));

  const send = (message: Buffer, request?: { seq: number; crc: number }) => {
    if (dropRate > 0 && random() < dropRate) {
      stats.dropped++;
      return;
    }
    // A leading 0x00 (allowed at any time): a station that opened its port after our previous
    // delimiter is then in sync for this frame rather than discarding it as the sync prefix.
    const wire =
      options.leadingDelimiter === false
        ? encodeFrame(message)
        : Buffer.concat([Buffer.from([0]), encodeFrame(message)]);
    if (stallArmed && request) {
      // The firmware hangs half-way through this response: half the frame, then nothing.
      stallArmed = false;
      stalled = request;
      stats.stalls++;
      emit(wire.subarray(0, Math.ceil(wire.length / 2)));
      return;
    }
    emit(wire);
  };

  const unplug = () => {
    stats.unplugged = true;
    closed = true;
    offData();
    output.stop();
    void link.close().catch(() => undefined);
    options.onUnplug?.();
  };

  const onMessage = (raw: Buffer) => {
    // Shorter than a header: no sequence number to answer with, so no answer (spec 3.2).
    if (raw.length < 6) return;
    const seq = raw.readUInt16BE(2);
    const crc = crc32(raw);
    if (stalled) {
      // Still stuck in the cut-off response: its retries are received and ignored. A new
      // request gets the firmware going again.
      if (stalled.seq === seq && stalled.crc === crc) {
        stats.stalledRetries++;
        return;
      }
      stalled = undefined;
    }
    if (cache && cache.seq === seq && cache.crc === crc) {
      stats.replayed++;
      send(cache.response, { seq, crc });
      return;
    }
    stats.executed++;
    const response = execute(raw);
    if (unplugNow) {
      unplug();
      return;
    }
    cache = { seq, crc, response };
    if (silenceThisAnswer) {
      // Locked, but the answer is lost, and so are the answers to its retries (as a stall's).
      silenceThisAnswer = false;
      stalled = { seq, crc };
      stats.stalls++;
      return;
    }
    send(response, { seq, crc });
    if (finishedNow) {
      finishedNow = false;
      // After the answer has left: a simulator that takes the board away at once must not cut it off.
      void output.flushed().then(() => options.onFinished?.());
    }
  };

  function execute(raw: Buffer): Buffer {
    let request: RequestMessage;
    try {
      const message = decodeMessage(raw);
      if (message.kind !== 'request') return errorMessage(raw, 'BAD_REQUEST', `a ${message.kind} is not a request`);
      request = message;
    } catch (error) {
      if (!isProtocolError(error)) throw error;
      return errorMessage(raw, error.wireCode, error.message);
    }
    try {
      const body = handle(request);
      return encodeMessage({ kind: 'response', seq: request.seq, ...body } as ResponseMessage);
    } catch (error) {
      if (error instanceof Refusal) return errorMessage(raw, error.code, error.message);
      return errorMessage(raw, 'INTERNAL', error instanceof Error ? error.message : String(error));
    }
  }

  function handle(request: RequestMessage): ResponseBody {
    if (request.command !== 'identify') identifiesWhileLocked = 0;
    else if (state.lifecycle === 'locked') {
      const at = Date.now();
      if (at - lastIdentifyAt > POLL_GAP_MS) identifiesWhileLocked = 0;
      lastIdentifyAt = at;
      if (++identifiesWhileLocked === 3) finishedNow = true;
    }
    switch (request.command) {
      case 'identify':
        return identify();
      case 'generateKey':
        return generateKey(request);
      case 'writeKey':
        return writeKey(request);
      case 'writeChain':
        return writeChain(request);
      case 'readSlot':
        return readSlot(request);
      case 'signChallenge':
        return signChallenge(request);
      case 'lock':
        staged = undefined;
        if (faults.refuseLock) {
          throw new Refusal(REFUSE_LOCK_ERROR, 'could not record the locked state (lock fuse write failed)');
        }
        if (state.lifecycle !== 'locked') {
          state.lifecycle = 'locked';
          persist();
          if (lockSilenceArmed) {
            lockSilenceArmed = false;
            silenceThisAnswer = true;
          }
          if (options.finishedWhen === 'locked') finishedNow = true;
        }
        return { command: 'lock' };
      case 'factoryReset':
        refuseIfLocked();
        staged = undefined;
        for (const slot of state.slots) {
          delete slot.privateKey;
          delete slot.keyType;
          delete slot.content;
        }
        persist();
        return { command: 'factoryReset' };
    }
  }

  function identify(): ResponseBody {
    return {
      command: 'identify',
      protocolVersions: [...SUPPORTED_PROTOCOL_VERSIONS],
      capabilities: [...CAPABILITIES],
      maxMessageSize: MAX_MESSAGE_SIZE,
      serialNumber: reportedSerial,
      chipId: Buffer.from(state.chipId, 'hex'),
      macAddress: Buffer.from(state.macAddress, 'hex'),
      firmwareVersion: state.firmwareVersion,
      keyTypes: ['ecP256'],
      slots: state.slots.map((slot) => ({
        id: slot.id,
        kind: slot.kind,
        occupied: isOccupied(slot),
        ...(slot.keyType ? { keyType: slot.keyType } : {}),
        ...(slot.linkedSlot === undefined ? {} : { linkedSlot: slot.linkedSlot }),
        capacity: slot.capacity,
      })),
      lifecycle: state.lifecycle,
    };
  }

  function generateKey(request: RequestOf<'generateKey'>): ResponseBody {
    refuseIfLocked();
    const slot = keySlotForWrite(request.slot, request.keyType);
    if (request.subject && !isSequenceRun(request.subject, 1)) {
      throw new Refusal('INVALID_SUBJECT', 'SUBJECT is not exactly one DER SEQUENCE');
    }
    staged = undefined;
    const key = generateP256();
    const csr = request.subject ? buildCsr(key, request.subject) : undefined;
    // bad-csr: one bit of the signature's last byte flipped: still well-formed DER, never valid.
    if (csr && faults.badCsr) csr.writeUInt8(csr.readUInt8(csr.length - 1) ^ 0x01, csr.length - 1);
    stats.keysGenerated++;
    slot.keyType = request.keyType;
    slot.privateKey = exportPrivateKey(key);
    persist();
    return {
      command: 'generateKey',
      slot: slot.id,
      keyType: request.keyType,
      publicKey: spkiOf(key),
      ...(csr ? { csr } : {}),
    };
  }

  function writeKey(request: RequestOf<'writeKey'>): ResponseBody {
    refuseIfLocked();
    const slot = keySlotForWrite(request.slot, request.keyType);
    const key = importP256(request.privateKey);
    // Zero the request's copy of the key once it is used, as the spec asks of firmware.
    request.privateKey.fill(0);
    if (!key) throw new Refusal('INVALID_KEY', 'the P-256 scalar is 0 or not below the group order');
    staged = undefined;
    slot.keyType = request.keyType;
    slot.privateKey = exportPrivateKey(key);
    persist();
    return { command: 'writeKey', slot: slot.id, publicKey: spkiOf(key) };
  }

  function writeChain(request: RequestOf<'writeChain'>): ResponseBody {
    refuseIfLocked();
    if (faults.unplug && !stats.unplugged && (request.offset > 0 || request.data.length === request.totalLength)) {
      unplugNow = true;
      return { command: 'writeChain', slot: request.slot, nextOffset: request.offset };
    }
    const slot = findSlot(request.slot);
    if (slot.kind !== 'certificateChain' && slot.kind !== 'rootCa') {
      throw new Refusal('WRONG_SLOT_KIND', `slot ${slot.id} holds a key, not certificates`);
    }
    if (request.offset === 0) {
      staged = undefined;
      if (isOccupied(slot)) throw new Refusal('SLOT_OCCUPIED', `slot ${slot.id} is already filled`);
      if (request.totalLength > slot.capacity) {
        throw new Refusal('STORAGE_FULL', `${request.totalLength} bytes exceed slot ${slot.id}'s ${slot.capacity}`);
      }
      staged = { slot: slot.id, totalLength: request.totalLength, nextOffset: 0, chunks: [] };
    } else if (
      !staged ||
      staged.slot !== slot.id ||
      staged.totalLength !== request.totalLength ||
      staged.nextOffset !== request.offset
    ) {
      // The staged transfer is kept, so the station can resend the chunk it expects.
      throw new Refusal('BAD_OFFSET', `expected offset ${staged?.nextOffset ?? 0} of a staged transfer`);
    }
    staged.chunks.push(Buffer.from(request.data));
    staged.nextOffset += request.data.length;
    const nextOffset = staged.nextOffset;
    if (nextOffset < staged.totalLength) return { command: 'writeChain', slot: slot.id, nextOffset };
    const content = Buffer.concat(staged.chunks);
    staged = undefined;
    if (!isSequenceRun(content)) throw new Refusal('INVALID_CONTENT', 'the content is not a run of DER SEQUENCEs');
    slot.content = content.toString('base64');
    persist();
    const digest = createHash('sha256').update(content).digest();
    return { command: 'writeChain', slot: slot.id, nextOffset, digest };
  }

  function readSlot(request: RequestOf<'readSlot'>): ResponseBody {
    const slot = findSlot(request.slot);
    let content = contentOf(slot);
    if (!content) throw new Refusal('SLOT_EMPTY', `slot ${slot.id} is empty`);
    if (faults.wrongReadback && slot.kind !== 'deviceKey') {
      // Another certificate than the one written: same length, a byte in the middle differs.
      content = Buffer.from(content);
      const middle = Math.floor(content.length / 2);
      content.writeUInt8(content.readUInt8(middle) ^ 0xff, middle);
    }
    if (request.offset > content.length) {
      throw new Refusal('BAD_OFFSET', `offset ${request.offset} is past the end (${content.length})`);
    }
    return {
      command: 'readSlot',
      slot: slot.id,
      offset: request.offset,
      totalLength: content.length,
      data: content.subarray(request.offset, request.offset + request.maxLength),
    };
  }

  function signChallenge(request: RequestOf<'signChallenge'>): ResponseBody {
    const slot = findSlot(request.slot);
    if (slot.kind !== 'deviceKey') throw new Refusal('WRONG_SLOT_KIND', `slot ${slot.id} holds no key`);
    if (!slot.privateKey) throw new Refusal('SLOT_EMPTY', `slot ${slot.id} is empty`);
    if (faults.wrongPopKey) decoyKey ??= generateP256();
    const key = faults.wrongPopKey && decoyKey ? decoyKey : loadPrivateKey(slot.privateKey);
    const signature = signProofOfPossession(key, request.challenge);
    return { command: 'signChallenge', slot: slot.id, signature };
  }

  function refuseIfLocked(): void {
    if (state.lifecycle === 'locked') throw new Refusal('DEVICE_LOCKED', 'the device is locked');
  }

  function findSlot(id: number): StoredSlot {
    const slot = state.slots.find((s) => s.id === id);
    if (!slot) throw new Refusal('SLOT_NOT_FOUND', `no slot ${id}`);
    return slot;
  }

  function keySlotForWrite(id: number, keyType: string): StoredSlot {
    const slot = findSlot(id);
    if (slot.kind !== 'deviceKey') throw new Refusal('WRONG_SLOT_KIND', `slot ${id} is not a key slot`);
    if (keyType !== 'ecP256') throw new Refusal('UNSUPPORTED_KEY_TYPE', `this device only has P-256`);
    if (slot.privateKey) throw new Refusal('SLOT_OCCUPIED', `slot ${id} already holds a key`);
    return slot;
  }

  const offData = link.onData((chunk) => {
    if (closed) return;
    for (const event of decoder.push(chunk)) {
      if (event.kind === 'error') stats.framingErrors++;
      else onMessage(event.message);
    }
  });

  // "Power-on": one 0x00, so a station already listening is in sync.
  output.send(Buffer.from([0]));

  return {
    serialNumber: reportedSerial,
    stats,
    snapshot: () => structuredClone(state),
    async close() {
      if (closed) return;
      closed = true;
      offData();
      output.stop();
      await link.close();
    },
    detach() {
      // Closed from here on, for this device: close() no longer touches the link it handed on.
      if (closed) return;
      closed = true;
      offData();
      output.stop();
    },
  };
}

function isOccupied(slot: StoredSlot): boolean {
  return slot.privateKey !== undefined || slot.content !== undefined;
}

function contentOf(slot: StoredSlot): Buffer | undefined {
  if (slot.kind === 'deviceKey') return slot.privateKey ? spkiOf(loadPrivateKey(slot.privateKey)) : undefined;
  return slot.content ? Buffer.from(slot.content, 'base64') : undefined;
}

/**
 * An ERROR message built from the raw request header, so it can answer requests the codec
 * cannot decode (an unknown command has no name to put in a typed message). Version 1 always:
 * a device answers UNSUPPORTED_VERSION in a version it speaks.
 */
function errorMessage(request: Buffer, code: DeviceErrorName | number, text: string): Buffer {
  const number = typeof code === 'number' ? code : DEVICE_ERROR_CODES[code];
  // Version, kind ERROR, then the request's sequence number and command byte, then flags.
  const header = Buffer.concat([Buffer.from([PROTOCOL_VERSION, 0x03]), request.subarray(2, 5), Buffer.from([0])]);
  const codeBytes = Buffer.alloc(2);
  codeBytes.writeUInt16BE(number);
  // ERROR_MESSAGE is 1..255 bytes of UTF-8; plain ASCII keeps the cut at 255 bytes safe.
  const ascii = Buffer.from(text.replace(/[^\x20-\x7e]/g, '?').slice(0, 255) || 'error', 'ascii');
  return Buffer.concat([header, encodeTlv(TAGS.ERROR_CODE, codeBytes), encodeTlv(TAGS.ERROR_MESSAGE, ascii)]);
}
