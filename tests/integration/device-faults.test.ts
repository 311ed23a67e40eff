// Faulty simulated devices over real PTYs (socat): each fault of `trustline sim --faults` is seen
// by the station's session as a documented error (or, for a lossy line, recovered by retries),
// and the clean port next to it is unaffected.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isDeviceError } from '../../main/core/device/link/device-error';
import {
  createDeviceSession,
  type DeviceSession,
  type DeviceSessionOptions,
} from '../../main/core/device/link/device-session';
import { proofOfPossessionMessage } from '../../main/core/device/protocol';
import { derElement, derElementSize } from '../../main/core/device/simulator/der-lite';
import { loadPrivateKey, spkiOf } from '../../main/core/device/simulator/device-keys';
import { parseFaultSpec, REFUSE_LOCK_ERROR } from '../../main/core/device/simulator/faults';
import { startSimulator, type Simulator } from '../../main/core/device/simulator/simulator';
import type { ByteLink } from '../../main/core/device/transports/byte-link';
import { openSerialPort } from '../../main/core/device/transports/serial-port';
import { isStationError } from '../../main/core/errors/station-error';

const BAUD = 115200;
const CLEAN = 1;
const SPEC =
  '2:drop=0.001,3:corrupt=0.001,4:stall,5:unplug,6:duplicate-serial=1,7:bad-csr,8:refuse-lock,' +
  '9:wrong-readback,10:wrong-pop-key';

/** Short timeouts: the simulator answers in milliseconds, so retries need not wait seconds. */
const FAST: DeviceSessionOptions = {
  timeouts: {
    identify: 200,
    generateKey: 800,
    writeChain: 400,
    readSlot: 200,
    signChallenge: 600,
    lock: 600,
    writeChainCommit: 1000,
  },
};

function subjectName(cn: string): Buffer {
  const attribute = derElement(0x30, Buffer.from('0603550403', 'hex'), derElement(0x0c, Buffer.from(cn, 'utf8')));
  return derElement(0x30, derElement(0x31, attribute));
}

/** Fake "certificates": DER SEQUENCEs, which is all a device checks chain content for. */
function fakeChain(sizes: number[]): Buffer {
  return Buffer.concat(sizes.map((size, i) => derElement(0x30, randomBytes(size).fill(0x41 + i, 0, 8))));
}

/** The content of the DER element at the start of `der` (its header skipped). */
function sequenceContent(der: Buffer): Buffer {
  const size = derElementSize(der, 0)!;
  const first = der[1]!;
  return der.subarray(first < 0x80 ? 2 : 2 + (first & 0x7f), size);
}

/** The elements inside a SEQUENCE, each whole (header included). */
function sequenceChildren(der: Buffer): Buffer[] {
  const content = sequenceContent(der);
  const children: Buffer[] = [];
  for (let pos = 0; pos < content.length;) {
    const size = derElementSize(content, pos)!;
    children.push(content.subarray(pos, pos + size));
    pos += size;
  }
  return children;
}

const pem = (label: string, der: Buffer) =>
  `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;

async function writeChain(session: DeviceSession, slot: number, content: Buffer, chunk = 4096) {
  let digest: Buffer | undefined;
  for (let offset = 0; offset < content.length; offset += chunk) {
    const data = content.subarray(offset, offset + chunk);
    const response = await session.request({ command: 'writeChain', slot, offset, totalLength: content.length, data });
    assert.equal(response.nextOffset, offset + data.length);
    digest = response.digest;
  }
  return digest;
}

async function readAll(session: DeviceSession, slot: number, maxLength = 4096): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const response = await session.request({ command: 'readSlot', slot, offset, maxLength });
    parts.push(response.data);
    offset += response.data.length;
    if (offset >= response.totalLength) return Buffer.concat(parts);
  }
}

const generateKey = (session: DeviceSession, cn: string) =>
  session.request({ command: 'generateKey', slot: 0, keyType: 'ecP256', output: 'csr', subject: subjectName(cn) });

describe('simulated device faults over PTY pairs', () => {
  let dir: string;
  let simulator: Simulator;
  const opened: Array<{ link: ByteLink; session: DeviceSession }> = [];

  async function connect(port: number, options: DeviceSessionOptions = FAST) {
    const link = await openSerialPort(simulator.ports[port - 1]!.stationPath, { baudRate: BAUD });
    const session = createDeviceSession(link, options);
    opened.push({ link, session });
    return { link, session };
  }

  /** The port without faults answers at once, without a single retry. */
  let clean: DeviceSession;
  async function assertCleanPortUnaffected(): Promise<void> {
    const before = clean.stats.retries;
    const identity = await clean.request({ command: 'identify' });
    assert.equal(identity.serialNumber, 'SIM000001');
    assert.equal(clean.stats.retries, before);
    assert.equal(simulator.devices[CLEAN - 1]!.stats.framingErrors, 0);
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'trustline-device-faults-'));
    simulator = await startSimulator({
      ports: 10,
      baudRate: BAUD,
      stateDir: path.join(dir, 'sim'),
      faults: parseFaultSpec(SPEC, 10),
      seed: 7,
    });
    clean = (await connect(CLEAN)).session;
  });

  after(async () => {
    for (const { link, session } of opened.splice(0)) {
      session.dispose();
      await link.close();
    }
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [port, fault] of [
    [2, 'drop'],
    [3, 'corrupt'],
  ] as const) {
    it(`${fault}: a lossy line is recovered by retries, without generating a key twice`, async () => {
      const { session } = await connect(port, { ...FAST, maxAttempts: 12 });
      const device = simulator.devices[port - 1]!;
      const identity = await session.request({ command: 'identify' });
      assert.equal(identity.serialNumber, `SIM00000${port}`);
      const { publicKey, csr } = await generateKey(session, `lossy ${fault}`);
      assert.ok(csr && csr.length > 100);
      const chain = fakeChain([2500, 1800, 1500]);
      assert.deepEqual(await writeChain(session, 1, chain), createHash('sha256').update(chain).digest());
      // 512-byte reads: at 0.1 % per byte a 4 KiB response would almost never arrive whole.
      assert.deepEqual(await readAll(session, 1, 512), chain);
      assert.ok(session.stats.retries > 0, 'the faults made the station retry');
      assert.ok(fault === 'drop' ? device.stats.bytesDropped > 0 : device.stats.bytesCorrupted > 0);
      // Exactly one key: the retried GENERATE_KEY was answered from the replay cache.
      assert.equal(device.stats.keysGenerated, 1);
      const stored = device.snapshot().slots.find((s) => s.id === 0)!.privateKey!;
      assert.deepEqual(spkiOf(loadPrivateKey(stored)), publicKey);
      await assertCleanPortUnaffected();
    });
  }

  it('stall: "not responding" after the retries; the next request on the port works', async () => {
    const { session } = await connect(4, { ...FAST, maxAttempts: 4 });
    const device = simulator.devices[3]!;
    await assert.rejects(session.request({ command: 'identify' }), (error: unknown) => {
      assert.ok(isStationError(error), String(error));
      assert.equal(error.code, 'TRANSPORT_FAILED');
      assert.match(error.message, /not responding/);
      assert.ok(error.message.includes(simulator.ports[3]!.stationPath));
      return true;
    });
    assert.equal(session.stats.retries, 3);
    assert.equal(device.stats.stalls, 1);
    assert.equal(device.stats.stalledRetries, 3);
    // One-shot: the device kept listening, and the next request is answered.
    const identity = await session.request({ command: 'identify' });
    assert.equal(identity.serialNumber, 'SIM000004');
    assert.equal(session.stats.retries, 3);
    await assertCleanPortUnaffected();
  });

  it('unplug: the link closes during the chain write, the request fails naming the path; a replug works', async () => {
    const { link, session } = await connect(5);
    const stationPath = simulator.ports[4]!.stationPath;
    const closed = new Promise<void>((resolve) => link.onClose(() => resolve()));
    await session.request({ command: 'identify' });
    const chain = fakeChain([3000, 2500]);
    await assert.rejects(writeChain(session, 1, chain), (error: unknown) => {
      assert.ok(isStationError(error), String(error));
      assert.equal(error.code, 'TRANSPORT_FAILED');
      assert.ok(error.message.includes(stationPath), error.message);
      return true;
    });
    await closed;
    assert.ok(simulator.devices[4]!.stats.unplugged);
    await simulator.unplugged(5);
    await assertCleanPortUnaffected();

    await simulator.restartPort(5);
    assert.equal(simulator.ports[4]!.stationPath, stationPath);
    const again = (await connect(5)).session;
    assert.equal((await again.request({ command: 'identify' })).serialNumber, 'SIM000005');
    // The interrupted transfer was never committed: the slot is free and the write now completes.
    assert.deepEqual(await writeChain(again, 1, chain), createHash('sha256').update(chain).digest());
    assert.deepEqual(await readAll(again, 1), chain);
  });

  it('duplicate-serial: two ports report the same serial number', async () => {
    const { session } = await connect(6);
    const duplicate = await session.request({ command: 'identify' });
    const original = await clean.request({ command: 'identify' });
    assert.equal(duplicate.serialNumber, original.serialNumber);
    assert.equal(simulator.ports[5]!.serialNumber, 'SIM000001');
    // Only the serial is copied: the chip ids still tell the two devices apart.
    assert.notDeepEqual(duplicate.chipId, original.chipId);
    await assertCleanPortUnaffected();
  });

  it('bad-csr: the CSR does not verify (openssl and node), the public key is still well formed', async () => {
    const { session } = await connect(7);
    const { csr, publicKey } = await generateKey(session, 'bad csr');
    assert.ok(csr);
    const csrFile = path.join(dir, 'bad.csr');
    writeFileSync(csrFile, pem('CERTIFICATE REQUEST', csr));
    // OpenSSL 3.0 still exits 0 here and only prints the failure; later versions exit 1.
    const openssl = spawnSync('openssl', ['req', '-in', csrFile, '-verify', '-noout'], { encoding: 'utf8' });
    assert.ok(openssl.status !== 0 || /verify failure/i.test(openssl.stderr + openssl.stdout), openssl.stderr);
    assert.doesNotMatch(openssl.stderr + openssl.stdout, /verify OK/i);
    // The same check in node: the signature over the CertificationRequestInfo, with the CSR's key.
    const [tbs, , bitString] = sequenceChildren(csr);
    assert.ok(tbs && bitString);
    const signature = sequenceContent(bitString).subarray(1); // after the unused-bits byte
    const key = createPublicKey({ key: publicKey, format: 'der', type: 'spki' });
    assert.ok(!verify('sha256', tbs, key, signature));
    await assertCleanPortUnaffected();
  });

  it(`refuse-lock: LOCK is answered ${REFUSE_LOCK_ERROR}, the device stays open`, async () => {
    const { session } = await connect(8);
    await assert.rejects(session.request({ command: 'lock' }), (error: unknown) => {
      assert.ok(isDeviceError(error), String(error));
      assert.equal(error.code, REFUSE_LOCK_ERROR);
      assert.equal(error.command, 'lock');
      return true;
    });
    assert.equal((await session.request({ command: 'identify' })).lifecycle, 'open');
    await assertCleanPortUnaffected();
  });

  it('wrong-readback: READ_SLOT returns other bytes than the ones written', async () => {
    const { session } = await connect(9);
    const chain = fakeChain([900, 600]);
    // The device committed the real bytes (its digest is right) but reads back something else.
    assert.deepEqual(await writeChain(session, 1, chain), createHash('sha256').update(chain).digest());
    const read = await readAll(session, 1);
    assert.equal(read.length, chain.length);
    assert.notDeepEqual(read, chain);
    await assertCleanPortUnaffected();
  });

  it("wrong-pop-key: the challenge signature does not verify against GENERATE_KEY's public key", async () => {
    const { session } = await connect(10);
    const { publicKey } = await generateKey(session, 'wrong pop');
    const challenge = randomBytes(32);
    const { signature } = await session.request({ command: 'signChallenge', slot: 0, challenge });
    const key = createPublicKey({ key: publicKey, format: 'der', type: 'spki' });
    assert.ok(!verify('sha256', proofOfPossessionMessage(challenge), key, signature));
    // The same steps on the clean port do verify.
    const good = await generateKey(clean, 'clean pop');
    const { signature: goodSignature } = await clean.request({ command: 'signChallenge', slot: 0, challenge });
    const goodKey = createPublicKey({ key: good.publicKey, format: 'der', type: 'spki' });
    assert.ok(verify('sha256', proofOfPossessionMessage(challenge), goodKey, goodSignature));
    await assertCleanPortUnaffected();
  });
});
