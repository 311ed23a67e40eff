// The station's device session against a scripted device on an in-memory link: stop-and-wait,
// retries with the same bytes and sequence number, stray frames ignored, errors typed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isDeviceError } from '../../main/core/device/link/device-error';
import { createDeviceSession } from '../../main/core/device/link/device-session';
import {
  decodeMessage,
  encodeFrame,
  encodeMessage,
  FrameDecoder,
  type RequestMessage,
  type ResponseMessage,
} from '../../main/core/device/protocol';
import { startVirtualDevice } from '../../main/core/device/simulator/virtual-device';
import type { ByteLink } from '../../main/core/device/transports/byte-link';
import { isStationError } from '../../main/core/errors/station-error';

const LOCK_RESPONSE = (seq: number): ResponseMessage => ({ kind: 'response', seq, command: 'lock' });

/** A link whose "device" is `script`: it sees every request (and its raw bytes) and may answer. */
function scriptedLink(script: (request: RequestMessage, raw: Buffer, answer: (bytes: Buffer) => void) => void) {
  const listeners = new Set<(chunk: Buffer) => void>();
  const decoder = new FrameDecoder();
  const written: Buffer[] = [];
  // Each answer starts with a 0x00, as a device may send: the station's decoder drops everything
  // up to its first 0x00 after the port opens.
  const answer = (bytes: Buffer) =>
    setImmediate(() => listeners.forEach((l) => l(Buffer.concat([Buffer.from([0]), bytes]))));
  const link: ByteLink = {
    path: '/dev/ttyTEST',
    write: async (data) => {
      written.push(Buffer.from(data));
      for (const event of decoder.push(data)) {
        if (event.kind === 'frame') script(decodeMessage(event.message) as RequestMessage, event.message, answer);
      }
    },
    onData: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onClose: () => () => undefined,
    close: async () => undefined,
  };
  return { link, written };
}

const frame = (message: Parameters<typeof encodeMessage>[0]) => encodeFrame(encodeMessage(message));

describe('device session', () => {
  it('ignores frames with other sequence numbers and counts bad frames without failing', async () => {
    const { link } = scriptedLink((request, _raw, answer) => {
      answer(
        Buffer.concat([
          frame(LOCK_RESPONSE((request.seq + 7) & 0xffff)), // a stale answer to something else
          Buffer.from([0x05, 0x11, 0x22, 0x33, 0x44, 0x00]), // damaged: CRC fails
          frame(LOCK_RESPONSE(request.seq)),
        ]),
      );
    });
    const session = createDeviceSession(link, { firstSeq: 0xffff });
    await session.request({ command: 'lock' });
    await session.request({ command: 'lock' }); // wraps to 0x0000
    assert.equal(session.stats.ignoredFrames, 2);
    assert.equal(session.stats.framingErrors, 2);
    session.dispose();
  });

  it('retries after a timeout with the exact same bytes and sequence number', async () => {
    const seen: Buffer[] = [];
    const { link } = scriptedLink((request, raw, answer) => {
      seen.push(raw);
      if (seen.length === 3) answer(frame(LOCK_RESPONSE(request.seq)));
    });
    const session = createDeviceSession(link, { timeouts: { lock: 30 } });
    await session.request({ command: 'lock' });
    assert.equal(seen.length, 3);
    assert.deepEqual(seen[1], seen[0]);
    assert.deepEqual(seen[2], seen[0]);
    assert.equal(session.stats.retries, 2);
    session.dispose();
  });

  it('gives up after the last attempt with TRANSPORT_FAILED naming the port', async () => {
    let attempts = 0;
    const { link } = scriptedLink(() => {
      attempts++;
    });
    const session = createDeviceSession(link, { timeouts: { identify: 20 } });
    await assert.rejects(session.request({ command: 'identify' }), (error: unknown) => {
      assert.ok(isStationError(error));
      assert.equal(error.code, 'TRANSPORT_FAILED');
      assert.match(error.message, /\/dev\/ttyTEST is not responding: no answer to identify after 4 attempts/);
      return true;
    });
    assert.equal(attempts, 4);
    session.dispose();
  });

  it('turns ERROR messages into DeviceErrors, unknown codes into INTERNAL with the number', async () => {
    const codes = [0x0020, 0x7777];
    const { link } = scriptedLink((request, _raw, answer) => {
      answer(frame({ kind: 'error', seq: request.seq, command: request.command, code: codes.shift()!, message: 'no' }));
    });
    const session = createDeviceSession(link);
    await assert.rejects(session.request({ command: 'factoryReset' }), (error: unknown) => {
      assert.ok(isDeviceError(error));
      assert.equal(error.code, 'DEVICE_LOCKED');
      assert.equal(error.command, 'factoryReset');
      assert.match(error.message, /factoryReset refused: the device is locked/);
      return true;
    });
    await assert.rejects(session.request({ command: 'lock' }), (error: unknown) => {
      assert.ok(isDeviceError(error));
      assert.equal(error.code, 'INTERNAL');
      assert.equal(error.wireCode, 0x7777);
      assert.match(error.message, /0x7777/);
      return true;
    });
    session.dispose();
  });

  it('waits after BUSY and sends the same request again', async () => {
    let calls = 0;
    const { link } = scriptedLink((request, _raw, answer) => {
      calls++;
      answer(
        calls === 1
          ? frame({ kind: 'error', seq: request.seq, command: 'lock', code: 0x0030 })
          : frame(LOCK_RESPONSE(request.seq)),
      );
    });
    const session = createDeviceSession(link, { busyRetryDelayMs: 5 });
    await session.request({ command: 'lock' });
    assert.equal(session.stats.busyRetries, 1);
    session.dispose();
  });

  it('keeps one request on the wire at a time, in order', async () => {
    const order: number[] = [];
    let inFlight = 0;
    const { link } = scriptedLink((request, _raw, answer) => {
      inFlight++;
      assert.equal(inFlight, 1);
      order.push(request.seq);
      setTimeout(() => {
        inFlight--;
        answer(frame(LOCK_RESPONSE(request.seq)));
      }, 5);
    });
    const session = createDeviceSession(link, { firstSeq: 100 });
    await Promise.all([1, 2, 3].map(() => session.request({ command: 'lock' })));
    assert.deepEqual(order, [100, 101, 102]);
    session.dispose();
  });

  it('treats an answer to its sequence number with another command as a protocol error', async () => {
    const { link } = scriptedLink((request, _raw, answer) => {
      answer(frame({ kind: 'response', seq: request.seq, command: 'factoryReset' }));
    });
    const session = createDeviceSession(link);
    await assert.rejects(session.request({ command: 'lock' }), /answered lock .* with a factoryReset response/);
    session.dispose();
  });

  it('stops at once when disposed during the BUSY back-off, with the session-closed error', async () => {
    let calls = 0;
    const { link } = scriptedLink((request, _raw, answer) => {
      calls++;
      answer(frame({ kind: 'error', seq: request.seq, command: 'lock', code: 0x0030 }));
    });
    const session = createDeviceSession(link, { busyRetryDelayMs: 10_000, timeouts: { lock: 20 } });
    const started = Date.now();
    const result = session.request({ command: 'lock' });
    while (session.stats.busyRetries === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    session.dispose();
    await assert.rejects(result, (error: unknown) => {
      assert.ok(isStationError(error));
      assert.match(error.message, /session on \/dev\/ttyTEST was closed/);
      return true;
    });
    assert.ok(Date.now() - started < 5_000, 'the back-off sleep was cut short');
    assert.equal(calls, 1, 'nothing more was sent after dispose()');
  });

  it('decodes the first answer of a device that sends no 0x00 before its responses', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'session-sync-'));
    // Two in-memory ends: bytes written on one are delivered to the other's listeners, if any.
    const ends: Array<Set<(chunk: Buffer) => void>> = [new Set(), new Set()];
    const end = (index: 0 | 1): ByteLink => ({
      path: index === 0 ? '/dev/ttyTEST' : '/dev/ttyDEVICE',
      write: async (data) => {
        const copy = Buffer.from(data);
        setImmediate(() => ends[1 - index]!.forEach((listener) => listener(copy)));
      },
      onData: (listener) => {
        ends[index]!.add(listener);
        return () => ends[index]!.delete(listener);
      },
      onClose: () => () => undefined,
      close: async () => undefined,
    });
    // The device powers on (its one 0x00) before the station listens, as when the port is opened
    // after the device was plugged in.
    const device = startVirtualDevice({
      link: end(1),
      stateFile: path.join(dir, 'device.json'),
      serialNumber: 'SYNC0001',
      baudRate: 1_000_000,
      leadingDelimiter: false,
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const session = createDeviceSession(end(0), { timeouts: { identify: 2_000 } });
      const identity = await session.request({ command: 'identify' });
      assert.equal(identity.serialNumber, 'SYNC0001');
      assert.equal(session.stats.retries, 0);
      assert.equal(session.stats.framingErrors, 0);
      session.dispose();
    } finally {
      await device.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
