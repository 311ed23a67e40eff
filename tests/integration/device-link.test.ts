// The station's device link end to end over real PTYs (socat): the simulator's virtual devices
// on one end, the serialport-backed session on the other, every command of the protocol.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, randomBytes, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deviceCommand } from '../../main/cli/device-command';
import { captureStdout } from '../helpers/capture-stdout';
import { isDeviceError } from '../../main/core/device/link/device-error';
import {
  createDeviceSession,
  identifyAndNegotiate,
  type DeviceSession,
  type DeviceSessionOptions,
} from '../../main/core/device/link/device-session';
import { chunkSizeFor, proofOfPossessionMessage } from '../../main/core/device/protocol';
import { derElement } from '../../main/core/device/simulator/der-lite';
import { seededRandom } from '../../main/core/device/simulator/seeded-random';
import { startSimulator, type Simulator } from '../../main/core/device/simulator/simulator';
import type { ByteLink } from '../../main/core/device/transports/byte-link';
import { openSerialPort } from '../../main/core/device/transports/serial-port';
import { isStationError } from '../../main/core/errors/station-error';

const BAUD = 115200;

/** X.501 Name with one CN (DER), as a policy's subject template would produce. */
function subjectName(cn: string): Buffer {
  const attribute = derElement(0x30, Buffer.from('0603550403', 'hex'), derElement(0x0c, Buffer.from(cn, 'utf8')));
  return derElement(0x30, derElement(0x31, attribute));
}

/** Fake "certificates": DER SEQUENCEs, which is all a device checks chain content for. */
function fakeChain(sizes: number[]): Buffer {
  return Buffer.concat(sizes.map((size, i) => derElement(0x30, Buffer.alloc(size, 0x41 + i))));
}

const pem = (label: string, der: Buffer) =>
  `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;

async function expectDeviceError(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isDeviceError(error), `expected a DeviceError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

async function writeChain(session: DeviceSession, slot: number, content: Buffer, maxMessageSize: number) {
  const chunk = chunkSizeFor(maxMessageSize);
  let digest: Buffer | undefined;
  for (let offset = 0; offset < content.length; offset += chunk) {
    const data = content.subarray(offset, offset + chunk);
    const response = await session.request({ command: 'writeChain', slot, offset, totalLength: content.length, data });
    assert.equal(response.nextOffset, offset + data.length);
    digest = response.digest;
  }
  return digest;
}

async function readAll(session: DeviceSession, slot: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const response = await session.request({ command: 'readSlot', slot, offset, maxLength: 4096 });
    parts.push(response.data);
    offset += response.data.length;
    if (offset >= response.totalLength) return Buffer.concat(parts);
  }
}

describe('device link over PTY pairs', () => {
  let dir: string;
  let simulator: Simulator;
  const opened: Array<{ link: ByteLink; session: DeviceSession }> = [];

  async function connect(stationPath: string, options?: DeviceSessionOptions): Promise<DeviceSession> {
    const link = await openSerialPort(stationPath, { baudRate: BAUD });
    const session = createDeviceSession(link, options);
    opened.push({ link, session });
    return session;
  }

  async function disconnectAll(): Promise<void> {
    for (const { link, session } of opened.splice(0)) {
      session.dispose();
      await link.close();
    }
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'trustline-device-link-'));
    simulator = await startSimulator({ ports: 2, baudRate: BAUD, stateDir: path.join(dir, 'sim') });
  });

  after(async () => {
    await disconnectAll();
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let publicKey: Buffer;
  let chain: Buffer;

  it('lists one station-side path and serial number per port', () => {
    assert.deepEqual(
      simulator.ports.map((p) => [p.index, p.serialNumber]),
      [
        [1, 'SIM000001'],
        [2, 'SIM000002'],
      ],
    );
  });

  it('identifies the device and negotiates version 1', async () => {
    const session = await connect(simulator.ports[0]!.stationPath);
    const { protocolVersion, identity } = await identifyAndNegotiate(session);
    assert.equal(protocolVersion, 1);
    assert.equal(identity.serialNumber, 'SIM000001');
    assert.equal(identity.lifecycle, 'open');
    assert.equal(identity.macAddress?.length, 6);
    assert.deepEqual(identity.keyTypes, ['ecP256']);
    assert.deepEqual(
      identity.slots.map((s) => [s.id, s.kind, s.occupied]),
      [
        [0, 'deviceKey', false],
        [1, 'certificateChain', false],
        [2, 'rootCa', false],
      ],
    );
  });

  it('generates a key with a CSR that openssl verifies and that carries the subject', async () => {
    const session = opened[0]!.session;
    const response = await session.request({
      command: 'generateKey',
      slot: 0,
      keyType: 'ecP256',
      output: 'csr',
      subject: subjectName('SIM000001 line test'),
    });
    publicKey = response.publicKey;
    assert.equal(publicKey.length, 91);
    const csrFile = path.join(dir, 'device.csr');
    writeFileSync(csrFile, pem('CERTIFICATE REQUEST', response.csr!));
    const out = execFileSync('openssl', ['req', '-in', csrFile, '-verify', '-noout', '-subject'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.match(out, /CN\s*=\s*SIM000001 line test/);
    // The CSR's key is the one the device reports, and READ_SLOT of the key slot gives it too.
    const pubOut = execFileSync('openssl', ['req', '-in', csrFile, '-pubkey', '-noout'], { encoding: 'utf8' });
    assert.deepEqual(createPublicKey(pubOut).export({ type: 'spki', format: 'der' }), publicKey);
    assert.deepEqual(await readAll(session, 0), publicKey);
  });

  it('writes a 6 KB chain in chunks, commits it with the right digest and reads the same bytes back', async () => {
    const session = opened[0]!.session;
    chain = fakeChain([2500, 2000, 1500]);
    assert.ok(chain.length > 6000 && chain.length > chunkSizeFor(4160));
    const digest = await writeChain(session, 1, chain, 4160);
    assert.deepEqual(digest, createHash('sha256').update(chain).digest());
    assert.deepEqual(await readAll(session, 1), chain);
  });

  it('paces its output: a 4 KiB read takes at least its wire time', async () => {
    const session = opened[0]!.session;
    const started = performance.now();
    const response = await session.request({ command: 'readSlot', slot: 1, offset: 0, maxLength: 4096 });
    const elapsed = performance.now() - started;
    assert.equal(response.data.length, 4096);
    // Not a speed target: a lower bound. The response frame is longer than its 4096 data bytes,
    // so the true wire time is a little above this; 10 ms covers timer granularity.
    const wireMs = ((4096 * 10) / BAUD) * 1000;
    assert.ok(
      elapsed >= wireMs - 10,
      `4 KiB arrived in ${elapsed.toFixed(1)} ms, the wire needs ${wireMs.toFixed(1)} ms`,
    );
  });

  it('signs a challenge with the proof-of-possession context, verifiable with the public key', async () => {
    const session = opened[0]!.session;
    const challenge = randomBytes(32);
    const { signature } = await session.request({ command: 'signChallenge', slot: 0, challenge });
    const key = createPublicKey({ key: publicKey, format: 'der', type: 'spki' });
    assert.ok(verify('sha256', proofOfPossessionMessage(challenge), key, signature));
    // Not over the bare challenge: the context prefix is part of what is signed.
    assert.ok(!verify('sha256', challenge, key, signature));
  });

  it('after LOCK refuses writes and factory reset with DEVICE_LOCKED, and keeps reading and signing', async () => {
    const session = opened[0]!.session;
    await session.request({ command: 'lock' });
    await session.request({ command: 'lock' }); // idempotent
    await expectDeviceError(
      session.request({
        command: 'writeChain',
        slot: 2,
        offset: 0,
        totalLength: 4,
        data: Buffer.from('3002abcd', 'hex'),
      }),
      'DEVICE_LOCKED',
    );
    await expectDeviceError(session.request({ command: 'factoryReset' }), 'DEVICE_LOCKED');
    const { identity } = await identifyAndNegotiate(session);
    assert.equal(identity.lifecycle, 'locked');
    assert.deepEqual(await readAll(session, 1), chain);
    const challenge = randomBytes(48);
    const { signature } = await session.request({ command: 'signChallenge', slot: 0, challenge });
    assert.ok(
      verify(
        'sha256',
        proofOfPossessionMessage(challenge),
        createPublicKey({ key: publicKey, format: 'der', type: 'spki' }),
        signature,
      ),
    );
  });

  it('refuses what the spec refuses, with the spec code', async () => {
    const session = await connect(simulator.ports[1]!.stationPath);
    await expectDeviceError(session.request({ command: 'readSlot', slot: 0, offset: 0, maxLength: 16 }), 'SLOT_EMPTY');
    await expectDeviceError(
      session.request({ command: 'generateKey', slot: 1, keyType: 'ecP256', output: 'publicKey' }),
      'WRONG_SLOT_KIND',
    );
    await expectDeviceError(
      session.request({ command: 'generateKey', slot: 9, keyType: 'ecP256', output: 'publicKey' }),
      'SLOT_NOT_FOUND',
    );
    await expectDeviceError(
      session.request({ command: 'generateKey', slot: 0, keyType: 'ecP384', output: 'publicKey' }),
      'UNSUPPORTED_KEY_TYPE',
    );
    await expectDeviceError(
      session.request({
        command: 'generateKey',
        slot: 0,
        keyType: 'ecP256',
        output: 'csr',
        subject: Buffer.from('3005aa', 'hex'),
      }),
      'INVALID_SUBJECT',
    );
    await expectDeviceError(
      session.request({ command: 'writeChain', slot: 2, offset: 0, totalLength: 5000, data: Buffer.alloc(10, 1) }),
      'STORAGE_FULL',
    );
    await expectDeviceError(
      session.request({ command: 'writeChain', slot: 2, offset: 4, totalLength: 8, data: Buffer.alloc(4, 1) }),
      'BAD_OFFSET',
    );
    await expectDeviceError(
      session.request({
        command: 'writeChain',
        slot: 2,
        offset: 0,
        totalLength: 4,
        data: Buffer.from('31020000', 'hex'),
      }),
      'INVALID_CONTENT',
    );
    // An open device can be reset and provisioned again (rework).
    await session.request({ command: 'generateKey', slot: 0, keyType: 'ecP256', output: 'publicKey' });
    await expectDeviceError(
      session.request({ command: 'generateKey', slot: 0, keyType: 'ecP256', output: 'publicKey' }),
      'SLOT_OCCUPIED',
    );
    await session.request({ command: 'factoryReset' });
    await session.request({ command: 'generateKey', slot: 0, keyType: 'ecP256', output: 'publicKey' });
    await session.request({ command: 'factoryReset' });
    assert.equal(session.stats.retries, 0);
  });

  it('a device restarted from the same state directory keeps its serial number, keys and lock', async () => {
    await disconnectAll();
    await simulator.close();
    simulator = await startSimulator({ ports: 2, baudRate: BAUD, stateDir: path.join(dir, 'sim') });
    const session = await connect(simulator.ports[0]!.stationPath);
    const { identity } = await identifyAndNegotiate(session);
    assert.equal(identity.serialNumber, 'SIM000001');
    assert.equal(identity.lifecycle, 'locked');
    assert.deepEqual(await readAll(session, 0), publicKey);
    const challenge = randomBytes(32);
    const { signature } = await session.request({ command: 'signChallenge', slot: 0, challenge });
    assert.ok(
      verify(
        'sha256',
        proofOfPossessionMessage(challenge),
        createPublicKey({ key: publicKey, format: 'der', type: 'spki' }),
        signature,
      ),
    );
  });

  it('device identify (the CLI command) prints the identity as JSON', async () => {
    await disconnectAll();
    const output = await captureStdout(() =>
      deviceCommand(['identify', '--port', simulator.ports[1]!.stationPath, '--json']),
    );
    const view = JSON.parse(output) as {
      serialNumber: string;
      protocolVersion: number;
      lifecycle: string;
      slots: unknown[];
    };
    assert.equal(view.serialNumber, 'SIM000002');
    assert.equal(view.protocolVersion, 1);
    assert.equal(view.lifecycle, 'open');
    assert.equal(view.slots.length, 3);
    const human = await captureStdout(() => deviceCommand(['identify', '--port', simulator.ports[1]!.stationPath]));
    assert.match(human, /Serial number: SIM000002/);
    assert.match(human, /1, certificateChain, empty, certifies slot 0, capacity 8192 bytes/);
  });

  it('device identify on a port that does not exist fails with TRANSPORT_FAILED naming the path', async () => {
    const missing = path.join(dir, 'no-such-port');
    await assert.rejects(deviceCommand(['identify', '--port', missing]), (error: unknown) => {
      assert.ok(isStationError(error));
      assert.equal(error.code, 'TRANSPORT_FAILED');
      assert.ok(error.message.includes(missing), error.message);
      assert.match(error.message, /No such file or directory/);
      return true;
    });
  });
});

describe('device link with lost responses', () => {
  it('completes identify and generateKey through retries and generates only one key', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trustline-device-drop-'));
    // The first seed that lets IDENTIFY's answer through and drops GENERATE_KEY's first answer:
    // the retry must then be answered from the replay cache, not by a second key generation.
    let seed = 1;
    for (; ; seed++) {
      const draw = seededRandom(seed);
      if (draw() >= 0.2 && draw() < 0.2) break;
    }
    const simulator = await startSimulator({ ports: 1, baudRate: BAUD, stateDir: dir, dropRate: 0.2, seed });
    const link = await openSerialPort(simulator.ports[0]!.stationPath, { baudRate: BAUD });
    // Shorter timeouts than the spec's 10 s for key generation keep the test quick.
    const session = createDeviceSession(link, { timeouts: { identify: 300, generateKey: 800 } });
    try {
      await identifyAndNegotiate(session);
      const generated = await session.request({
        command: 'generateKey',
        slot: 0,
        keyType: 'ecP256',
        output: 'publicKey',
      });
      for (let i = 0; i < 5; i++) await identifyAndNegotiate(session);
      const device = simulator.devices[0]!;
      assert.ok(device.stats.dropped >= 1);
      assert.ok(session.stats.retries >= 1);
      assert.ok(device.stats.replayed >= 1);
      // Every distinct request executed exactly once: 7 requests, however many attempts.
      assert.equal(device.stats.executed, 7);
      const slot = device.snapshot().slots.find((s) => s.id === 0)!;
      assert.ok(slot.privateKey);
      assert.deepEqual(
        createPublicKey(
          createPrivateKey({ key: Buffer.from(slot.privateKey, 'base64'), format: 'der', type: 'pkcs8' }),
        ).export({
          type: 'spki',
          format: 'der',
        }),
        generated.publicKey,
      );
      // A second, new GENERATE_KEY is a new request: the slot is occupied.
      await expectDeviceError(
        session.request({ command: 'generateKey', slot: 0, keyType: 'ecP256', output: 'publicKey' }),
        'SLOT_OCCUPIED',
      );
    } finally {
      session.dispose();
      await link.close();
      await simulator.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
