// The virtual device's firmware behaviour on an in-memory link: replay cache, answers to
// requests the codec cannot decode, silence for bad frames, DER checks.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  crc32,
  decodeMessage,
  DEVICE_ERROR_CODES,
  encodeFrame,
  encodeMessage,
  FrameDecoder,
  type Message,
} from '../../main/core/device/protocol';
import { derElementSize, isSequenceRun } from '../../main/core/device/simulator/der-lite';
import { startVirtualDevice, type VirtualDevice } from '../../main/core/device/simulator/virtual-device';
import type { ByteLink } from '../../main/core/device/transports/byte-link';

/** The device's end of an in-memory line; `send` plays the station, `next()` awaits the device's next frame. */
function memoryLine() {
  const toDevice = new Set<(chunk: Buffer) => void>();
  const decoder = new FrameDecoder();
  const received: Buffer[] = [];
  let wake: (() => void) | undefined;
  const link: ByteLink = {
    path: 'memory',
    write: async (data) => {
      for (const event of decoder.push(data)) if (event.kind === 'frame') received.push(event.message);
      wake?.();
    },
    onData: (listener) => {
      toDevice.add(listener);
      return () => toDevice.delete(listener);
    },
    onClose: () => () => undefined,
    close: async () => undefined,
  };
  return {
    link,
    received,
    send: (message: Buffer) => toDevice.forEach((l) => l(Buffer.concat([Buffer.from([0]), encodeFrame(message)]))),
    sendBytes: (bytes: Buffer) => toDevice.forEach((l) => l(bytes)),
    /** The next frame's message, raw (some answers name commands the codec does not know). */
    async nextRaw(): Promise<Buffer> {
      while (received.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return received.shift()!;
    },
    async next(): Promise<Message> {
      return decodeMessage(await this.nextRaw());
    },
  };
}

describe('virtual device', () => {
  let dir: string;
  let line: ReturnType<typeof memoryLine>;
  let device: VirtualDevice;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'trustline-sim-device-'));
    line = memoryLine();
    // A fast "baud rate": pacing is checked elsewhere; here only behaviour matters.
    device = startVirtualDevice({
      link: line.link,
      stateFile: path.join(dir, 'd.json'),
      serialNumber: 'T1',
      baudRate: 10_000_000,
    });
  });
  after(async () => {
    await device.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a repeated request (same sequence number and CRC) from its cache without executing it', async () => {
    const request = encodeMessage({
      kind: 'request',
      seq: 0x1234,
      command: 'generateKey',
      slot: 0,
      keyType: 'ecP256',
      output: 'publicKey',
    });
    line.send(request);
    const first = await line.next();
    line.send(request);
    const second = await line.next();
    assert.deepEqual(second, first);
    assert.equal(first.kind, 'response');
    assert.equal(device.stats.executed, 1);
    assert.equal(device.stats.replayed, 1);
    // Same sequence number, different bytes (a restarted station): executed, and refused.
    line.send(
      encodeMessage({
        kind: 'request',
        seq: 0x1234,
        command: 'generateKey',
        slot: 0,
        keyType: 'ecP256',
        output: 'csr',
        subject: Buffer.from('3000', 'hex'),
      }),
    );
    const third = await line.next();
    assert.equal(third.kind, 'error');
    assert.equal(third.kind === 'error' && third.code, DEVICE_ERROR_CODES.SLOT_OCCUPIED);
  });

  it('answers UNKNOWN_COMMAND, UNSUPPORTED_VERSION and BAD_REQUEST with the request header', async () => {
    const errorCodeOf = (raw: Buffer) => raw.readUInt16BE(6 + 3); // header, then ERROR_CODE's tag and length
    line.send(Buffer.from([1, 1, 0x00, 0x07, 0x42, 0]));
    const unknown = await line.nextRaw();
    assert.deepEqual([...unknown.subarray(0, 6)], [1, 3, 0x00, 0x07, 0x42, 0]);
    assert.equal(errorCodeOf(unknown), DEVICE_ERROR_CODES.UNKNOWN_COMMAND);
    line.send(Buffer.from([2, 1, 0x00, 0x08, 0x01, 0]));
    const version = await line.nextRaw();
    assert.deepEqual([...version.subarray(0, 6)], [1, 3, 0x00, 0x08, 0x01, 0]);
    assert.equal(errorCodeOf(version), DEVICE_ERROR_CODES.UNSUPPORTED_VERSION);
    line.send(Buffer.from([1, 1, 0x00, 0x09, 0x07, 0, 0x1d, 0, 4, 0, 0, 0, 0])); // LOCK with a wrong CONFIRM
    const lock = await line.next();
    assert.equal(lock.kind === 'error' && lock.code, DEVICE_ERROR_CODES.BAD_REQUEST);
    assert.equal(device.snapshot().lifecycle, 'open');
  });

  it('stays silent on a damaged frame and on a message shorter than a header', async () => {
    const before = device.stats.executed;
    const good = encodeFrame(encodeMessage({ kind: 'request', seq: 9, command: 'identify' }));
    const damaged = Buffer.from(good);
    damaged[3]! ^= 0x01;
    line.sendBytes(Buffer.concat([Buffer.from([0]), damaged]));
    line.send(Buffer.from([1, 1, 0]));
    line.send(encodeMessage({ kind: 'request', seq: 10, command: 'identify' }));
    const answer = await line.next();
    assert.equal(answer.seq, 10);
    assert.equal(device.stats.framingErrors, 1);
    assert.equal(device.stats.executed, before + 1);
    assert.equal(line.received.length, 0);
  });
});

describe('DER checks of the simulated firmware', () => {
  it('measures definite lengths and refuses indefinite or overlong ones', () => {
    assert.equal(derElementSize(Buffer.from('3003020100', 'hex'), 0), 5);
    assert.equal(derElementSize(Buffer.from('3080', 'hex'), 0), undefined);
    assert.equal(derElementSize(Buffer.from('3005020100', 'hex'), 0), undefined);
    assert.equal(derElementSize(Buffer.concat([Buffer.from('308200ff', 'hex'), Buffer.alloc(255)]), 0), 259);
  });

  it('accepts runs of SEQUENCEs only', () => {
    assert.ok(isSequenceRun(Buffer.from('30003000', 'hex')));
    assert.ok(!isSequenceRun(Buffer.from('30003000', 'hex'), 1));
    assert.ok(!isSequenceRun(Buffer.alloc(0)));
    assert.ok(!isSequenceRun(Buffer.from('300031', 'hex')));
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  });
});
