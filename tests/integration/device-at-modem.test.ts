// The nrf91-at driver against the simulated AT modem over a real PTY pair (socat): the station
// end and the device end both opened with the serialport binding, paced at 115200 baud.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAtClient } from '../../main/core/device/drivers/nrf91-at/at-client';
import { isAtCommandError } from '../../main/core/device/drivers/nrf91-at/at-errors';
import { certificatesPem, cmngDigest } from '../../main/core/device/drivers/nrf91-at/at-format';
import {
  createNrf91AtDriver,
  nrf91AtDriver,
  type Nrf91AtConnection,
} from '../../main/core/device/drivers/nrf91-at/nrf91-at-driver';
import { deviceCommand } from '../../main/cli/device-command';
import { captureStdout } from '../helpers/capture-stdout';
import { startVirtualModem, type VirtualModem } from '../../main/core/device/simulator/at-modem/virtual-modem';
import { derElement } from '../../main/core/device/simulator/der-lite';
import type { ByteLink } from '../../main/core/device/transports/byte-link';
import { createPtyPair, type PtyPair } from '../../main/core/device/transports/pty-pairs';
import { openSerialPort } from '../../main/core/device/transports/serial-port';
import { tempDir } from '../helpers/temp-dir';

const BAUD = 115200;
const IMEI = '352656100000001';
const TAG = 16842753;

function subjectName(cn: string): Buffer {
  const attribute = derElement(0x30, Buffer.from('0603550403', 'hex'), derElement(0x0c, Buffer.from(cn, 'utf8')));
  return derElement(0x30, derElement(0x31, attribute));
}

/** A self-signed P-256 certificate (DER) made by openssl. */
function certificate(dir: string, cn: string): Buffer {
  const key = path.join(dir, `${cn}.key`);
  const out = path.join(dir, `${cn}.der`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-days',
      '30',
      '-keyout',
      key,
      '-outform',
      'DER',
      '-out',
      out,
    ],
    { stdio: 'ignore' },
  );
  return readFileSync(out);
}

async function expectAtError(promise: Promise<unknown>, code: string, step: string, cme?: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isAtCommandError(error), `expected an AtCommandError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.step, step);
    if (cme !== undefined) assert.equal(error.cme, cme);
    assert.ok(error.message.includes(step));
    assert.ok(!error.command?.includes('BEGIN'), 'no PEM content in the command');
    return true;
  });
}

describe('nrf91-at driver over a PTY pair', () => {
  const dir = tempDir('trustline-at-');
  let pair: PtyPair;
  let modem: VirtualModem;
  let station: ByteLink;
  let connection: Nrf91AtConnection;
  const faults: { cme: Record<string, number> } = { cme: {} };

  before(async () => {
    pair = await createPtyPair(dir, 'modem');
    const deviceLink = await openSerialPort(pair.devicePath, { baudRate: BAUD });
    modem = await startVirtualModem({
      link: deviceLink,
      stateFile: path.join(dir, 'modem.json'),
      imei: IMEI,
      baudRate: BAUD,
      faults,
    });
    station = await openSerialPort(pair.stationPath, { baudRate: BAUD });
    connection = await createNrf91AtDriver({ secTag: TAG, commandTimeoutMs: 3_000 }).connect(station);
  });

  after(async () => {
    connection?.release();
    await station?.close();
    await modem?.close();
    await pair?.close();
  });

  it('describes itself', () => {
    assert.equal(nrf91AtDriver.name, 'nrf91-at');
    assert.equal(nrf91AtDriver.title, 'nRF91 cellular modem (AT commands)');
    assert.equal(nrf91AtDriver.defaultBaudRate, 115200);
  });

  it('identifies the modem', async () => {
    const identity = await connection.identify();
    assert.deepEqual(identity, {
      serialNumber: IMEI,
      chipId: null,
      macAddress: null,
      firmwareVersion: 'mfw_nrf9160_1.3.5-sim',
      keyTypes: ['EC-P256'],
      lifecycle: 'open',
      protocol: 'nRF91 AT',
    });
    assert.equal(modem.serialNumber, IMEI);
    assert.equal(connection.functionalMode, 1);
  });

  it('refuses a raw write while active (518): the driver must send AT+CFUN=4 first', async () => {
    const client = createAtClient(station, { timeoutMs: 3_000 });
    try {
      await client.send('AT+CFUN=1', { step: 'raw' });
      await expectAtError(
        client.send(`AT%CMNG=0,${TAG},0,"${certificatesPem([Buffer.from('3000', 'hex')])}"`, { step: 'raw' }),
        'NOT_ALLOWED_IN_ACTIVE_STATE',
        'raw',
        518,
      );
      await expectAtError(
        client.send(`AT%KEYGEN=${TAG},2,0`, { step: 'raw' }),
        'NOT_ALLOWED_IN_ACTIVE_STATE',
        'raw',
        518,
      );
    } finally {
      client.release();
    }
  });

  it('generates a key on the modem and returns a CSR that openssl verifies', async () => {
    const generated = await connection.generateKey({
      keyType: 'EC-P256',
      output: 'csr',
      subject: subjectName(`nrf-${IMEI}`),
    });
    assert.ok(generated.csr);
    const csrFile = path.join(dir, 'modem.csr');
    writeFileSync(csrFile, generated.csr);
    execFileSync('openssl', ['req', '-inform', 'DER', '-in', csrFile, '-verify', '-noout'], { stdio: 'pipe' });
    const spkiFromOpenssl = execFileSync('openssl', ['req', '-inform', 'DER', '-in', csrFile, '-pubkey', '-noout']);
    const fromOpenssl = createPublicKey(spkiFromOpenssl).export({ type: 'spki', format: 'der' });
    assert.deepEqual(generated.publicKey, fromOpenssl);
    const subject = execFileSync('openssl', ['req', '-inform', 'DER', '-in', csrFile, '-subject', '-noout']).toString();
    assert.match(subject, new RegExp(`CN\\s*=\\s*nrf-${IMEI}`));
    // Again: the existing key is deleted first, so the step is safe to repeat.
    const again = await connection.generateKey({ keyType: 'EC-P256', output: 'publicKey' });
    assert.equal(again.csr, null);
    assert.notDeepEqual(again.publicKey, generated.publicKey);
    assert.equal(createPublicKey({ key: again.publicKey, format: 'der', type: 'spki' }).asymmetricKeyType, 'ec');
  });

  it('writes credentials, lists the digest of the exact PEM, and reads the same DER back', async () => {
    const leaf = certificate(dir, 'leaf');
    const issuer = certificate(dir, 'issuer');
    const root = certificate(dir, 'root');
    const credentials = { chain: [leaf, issuer], trustAnchors: [root] };
    await connection.writeCredentials(credentials);
    // Safe to repeat (existing entries are deleted first).
    await connection.writeCredentials(credentials);
    const digests = await connection.listDigests();
    const byType = new Map(digests.map((entry) => [entry.type, entry.sha256]));
    const chainPem = certificatesPem([leaf, issuer]);
    assert.equal(byType.get(1), createHash('sha256').update(chainPem).digest('hex').toUpperCase());
    assert.equal(byType.get(1), cmngDigest(chainPem));
    assert.equal(byType.get(0), cmngDigest(certificatesPem([root])));
    assert.ok(byType.has(2), 'the generated key is listed');
    const back = await connection.readCredentials();
    assert.deepEqual(back.chain, [leaf, issuer]);
    assert.deepEqual(back.trustAnchors, [root]);
  });

  it('writes a station-generated private key and returns its public key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    const returned = await connection.writePrivateKey('EC-P256', pkcs8);
    assert.deepEqual(returned, publicKey.export({ type: 'spki', format: 'der' }));
    await expectAtError(connection.writePrivateKey('EC-P384', pkcs8), 'UNSUPPORTED', 'write-private-key');
  });

  it('says it cannot prove possession or lock', async () => {
    const proof = await connection.proveKeyPossession(Buffer.alloc(32));
    assert.ok('unsupported' in proof && proof.unsupported.length > 0);
    await expectAtError(connection.lock(), 'UNSUPPORTED', 'lock');
  });

  it('surfaces each +CME ERROR as its typed error naming the step; the port stays usable', async () => {
    const cases: Array<{ prefix: string; cme: number; code: string; run: () => Promise<unknown>; step: string }> = [
      { prefix: 'AT%CMNG=3', cme: 513, code: 'NOT_FOUND', step: 'factory-reset', run: () => connection.factoryReset() },
      {
        prefix: 'AT%CMNG=2',
        cme: 514,
        code: 'NO_ACCESS',
        step: 'read-credentials',
        run: () => connection.readCredentials(),
      },
      {
        prefix: 'AT%CMNG=0',
        cme: 515,
        code: 'MEMORY_FULL',
        step: 'write-credentials',
        run: () => connection.writeCredentials({ chain: [certificate(dir, 'full')], trustAnchors: [] }),
      },
      {
        prefix: 'AT%CMNG=3',
        cme: 518,
        code: 'NOT_ALLOWED_IN_ACTIVE_STATE',
        step: 'factory-reset',
        run: () => connection.factoryReset(),
      },
      {
        prefix: 'AT%CMNG=0',
        cme: 519,
        code: 'ALREADY_EXISTS',
        step: 'write-private-key',
        run: () =>
          connection.writePrivateKey(
            'EC-P256',
            generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'der' }),
          ),
      },
      {
        prefix: 'AT%KEYGEN',
        cme: 523,
        code: 'KEY_GENERATION_FAILED',
        step: 'generate-key',
        run: () => connection.generateKey({ keyType: 'EC-P256', output: 'csr' }),
      },
      {
        prefix: 'AT%CMNG=1',
        cme: 528,
        code: 'POWER_OFF_WARNING',
        step: 'list-digests',
        run: () => connection.listDigests(),
      },
      {
        prefix: 'AT%CMNG=1',
        cme: 600,
        code: 'UNKNOWN_CME_600',
        step: 'list-digests',
        run: () => connection.listDigests(),
      },
    ];
    for (const entry of cases) {
      faults.cme = { [entry.prefix]: entry.cme };
      await expectAtError(entry.run(), entry.code, entry.step, entry.cme);
      faults.cme = {};
      // The port is still in step: the next command gets its own answer.
      assert.equal((await connection.identify()).serialNumber, IMEI);
    }
  });

  it('reports 513 for a missing credential, and factory reset empties the sec_tag', async () => {
    await connection.factoryReset();
    assert.deepEqual(await connection.listDigests(), []);
    assert.deepEqual(await connection.readCredentials(), { chain: [], trustAnchors: [] });
    const client = createAtClient(station, { timeoutMs: 3_000 });
    connection.release();
    try {
      await expectAtError(client.send(`AT%CMNG=3,${TAG},1`, { step: 'raw' }), 'NOT_FOUND', 'raw', 513);
      await expectAtError(client.send(`AT%CMNG=2,${TAG},1`, { step: 'raw' }), 'NOT_FOUND', 'raw', 513);
      await client.send(`AT%CMNG=0,${TAG},1,"${certificatesPem([Buffer.from('3000', 'hex')])}"`, { step: 'raw' });
      await expectAtError(
        client.send(`AT%CMNG=0,${TAG},1,"${certificatesPem([Buffer.from('3000', 'hex')])}"`, { step: 'raw' }),
        'ALREADY_EXISTS',
        'raw',
        519,
      );
    } finally {
      client.release();
      connection = await nrf91AtDriver.connect(station);
    }
  });

  it('keeps its credentials in the state file across a restart', async () => {
    const state = JSON.parse(readFileSync(path.join(dir, 'modem.json'), 'utf8')) as {
      serialNumber: string;
      modem: { credentials: Array<{ tag: number; type: number }> };
    };
    assert.equal(state.serialNumber, IMEI);
    assert.deepEqual(
      state.modem.credentials.map((c) => [c.tag, c.type]),
      [[TAG, 1]],
    );
  });

  it('device identify --driver nrf91-at (the CLI command) identifies the modem', async () => {
    connection.release();
    await station.close();
    const output = await captureStdout(() =>
      deviceCommand(['identify', '--port', pair.stationPath, '--driver', 'nrf91-at', '--json']),
    );
    const view = JSON.parse(output) as { driver: string; serialNumber: string; protocol: string };
    assert.equal(view.driver, 'nrf91-at');
    assert.equal(view.serialNumber, IMEI);
    // Reopen for after(): it closes what it opened.
    station = await openSerialPort(pair.stationPath, { baudRate: BAUD });
    connection = await createNrf91AtDriver({ secTag: TAG, commandTimeoutMs: 3_000 }).connect(station);
  });
});
