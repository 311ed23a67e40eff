// The trustline driver against a device that lies: it must fail with a clear error, never loop,
// never stitch a chunk twice, and never accept a write the device did not store.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findDriver } from '../../main/core/device/drivers';
import {
  decodeMessage,
  encodeFrame,
  encodeMessage,
  FrameDecoder,
  type Message,
  type RequestMessage,
  type ResponseMessage,
} from '../../main/core/device/protocol';
import type { ByteLink } from '../../main/core/device/transports/byte-link';
import { isStationError } from '../../main/core/errors/station-error';

type Answer = (request: RequestMessage) => Omit<ResponseMessage, 'kind' | 'seq'> | null;

/** An in-memory device: decodes the station's frames and answers through `answer`. */
function fakeDevice(answer: Answer): ByteLink & { requests: number } {
  const listeners = new Set<(chunk: Buffer) => void>();
  const decoder = new FrameDecoder();
  const link = {
    requests: 0,
    path: 'fake',
    async write(data: Buffer) {
      for (const event of decoder.push(data)) {
        if (event.kind !== 'frame') continue;
        const request = decodeMessage(event.message) as Message;
        if (request.kind !== 'request') continue;
        link.requests += 1;
        const body = answer(request);
        if (!body) continue;
        const frame = Buffer.concat([
          Buffer.from([0]),
          encodeFrame(encodeMessage({ ...body, kind: 'response', seq: request.seq } as ResponseMessage)),
        ]);
        setImmediate(() => listeners.forEach((l) => l(frame)));
      }
    },
    onData(listener: (chunk: Buffer) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onClose() {
      return () => undefined;
    },
    async close() {},
  };
  return link;
}

const identity = {
  command: 'identify',
  protocolVersions: [1],
  capabilities: ['keyGeneration', 'csr'],
  maxMessageSize: 4160,
  serialNumber: 'LIAR01',
  chipId: Buffer.from('0102', 'hex'),
  firmwareVersion: '1',
  keyTypes: ['ecP256'],
  slots: [
    { id: 0, kind: 'deviceKey', occupied: true, keyType: 'ecP256', capacity: 0 },
    { id: 1, kind: 'certificateChain', occupied: true, linkedSlot: 0, capacity: 8192 },
  ],
  lifecycle: 'open',
} as const;

async function failure(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    return isStationError(error) ? `${error.code}: ${error.message}` : String(error);
  }
  return 'succeeded';
}

describe('trustline driver against a lying device', () => {
  it('refuses a read whose announced length exceeds the slot, instead of reading forever', async () => {
    const link = fakeDevice((r) =>
      r.command === 'identify'
        ? identity
        : r.command === 'readSlot'
          ? { command: 'readSlot', slot: r.slot, offset: r.offset, totalLength: 0xffffffff, data: Buffer.alloc(4096) }
          : null,
    );
    const device = await findDriver('trustline').connect(link);
    assert.match(await failure(() => device.readCredentials()), /TRANSPORT_FAILED: .*claims 4294967295 bytes/);
    assert.ok(link.requests < 5, `${link.requests} requests`);
  });

  it('refuses a read that answers another offset (a chunk would be stitched twice)', async () => {
    const link = fakeDevice((r) =>
      r.command === 'identify'
        ? identity
        : r.command === 'readSlot'
          ? {
              command: 'readSlot',
              slot: r.slot,
              offset: 0,
              totalLength: 6000,
              data: Buffer.alloc(Math.min(4000, r.maxLength), 7),
            }
          : null,
    );
    const device = await findDriver('trustline').connect(link);
    assert.match(
      await failure(() => device.readCredentials()),
      /TRANSPORT_FAILED: .*at 0 of 6000, asked slot 1 at 4000/,
    );
  });

  it('refuses a write acknowledged for another slot or with the wrong digest', async () => {
    const chain = [Buffer.from('3003020101', 'hex')];
    const wrongSlot = fakeDevice((r) =>
      r.command === 'identify'
        ? identity
        : r.command === 'writeChain'
          ? { command: 'writeChain', slot: 7, nextOffset: r.offset + r.data.length, digest: Buffer.alloc(32) }
          : null,
    );
    const one = await findDriver('trustline').connect(wrongSlot);
    assert.match(await failure(() => one.writeCredentials({ chain, trustAnchors: [] })), /acknowledged slot 7/);
    const wrongDigest = fakeDevice((r) =>
      r.command === 'identify'
        ? identity
        : r.command === 'writeChain'
          ? { command: 'writeChain', slot: r.slot, nextOffset: r.offset + r.data.length, digest: Buffer.alloc(32) }
          : null,
    );
    const two = await findDriver('trustline').connect(wrongDigest);
    assert.match(
      await failure(() => two.writeCredentials({ chain, trustAnchors: [] })),
      /does not hash to what was written/,
    );
  });

  it('refuses a generated key of another type or without the CSR asked for', async () => {
    const link = fakeDevice((r) =>
      r.command === 'identify'
        ? identity
        : r.command === 'generateKey'
          ? { command: 'generateKey', slot: r.slot, keyType: r.keyType, publicKey: Buffer.alloc(91) }
          : null,
    );
    const device = await findDriver('trustline').connect(link);
    const subject = Buffer.from('3000', 'hex');
    assert.match(
      await failure(() => device.generateKey({ keyType: 'EC-P256', output: 'csr', subject })),
      /no CSR came back/,
    );
  });
});
