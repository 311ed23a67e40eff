// The trustline driver against a simulated device, end to end with the station's CA: the device
// makes its key and CSR, the station issues, the chain goes in and comes back byte for byte, and
// the device proves it holds the certified key.
import assert from 'node:assert/strict';
import { randomBytes, verify, X509Certificate } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findDriver, listDrivers, type DeviceConnection } from '../../main/core/device/drivers';
import { startSimulator, type Simulator } from '../../main/core/device/simulator/simulator';
import { openSerialPort } from '../../main/core/device/transports/serial-port';
import type { ByteLink } from '../../main/core/device/transports/byte-link';
import { encodeName } from '../../main/core/pki/name';
import { openStation, type Station } from '../../main/core/station';
import { call, setUpCa } from '../helpers/pki';
import { tempDir } from '../helpers/temp-dir';

describe('trustline driver', () => {
  const dir = tempDir();
  let simulator: Simulator;
  let station: Station;
  let link: ByteLink;
  let device: DeviceConnection;

  before(async () => {
    simulator = await startSimulator({ ports: 1, baudRate: 115200, stateDir: path.join(dir, 'sim') });
    station = openStation(path.join(dir, 'station'), { keyStore: { pin: '1234' } });
    const port = simulator.ports[0]!;
    link = await openSerialPort(port.stationPath, { baudRate: 115200 });
    device = await findDriver('trustline').connect(link);
  });

  after(async () => {
    device.release();
    await link.close();
    await simulator.close();
    await station.close();
  });

  it('is registered, and unknown drivers are refused by name', () => {
    assert.deepEqual(
      listDrivers()
        .map((d) => d.name)
        .sort(),
      ['nrf91-at', 'trustline'],
    );
    assert.throws(() => findDriver('no-such-driver'), /no device driver named "no-such-driver"/);
  });

  it('identifies the device', async () => {
    const identity = await device.identify();
    assert.equal(identity.serialNumber, simulator.ports[0]!.serialNumber);
    assert.equal(identity.lifecycle, 'open');
    assert.ok(identity.keyTypes.includes('EC-P256'));
    assert.match(identity.protocol, /^trustline \d+$/);
  });

  it('provisions: device CSR, station certificate, read-back, proof of possession, lock', async () => {
    const ca = await setUpCa(station, dir);
    const policy = await call(station, 'policies.create', {
      preset: 'tls-client',
      body: { name: 'Simulated devices', issuingCaId: ca.issuingId },
    });
    const identity = await device.identify();
    const key = await device.generateKey({
      keyType: 'EC-P256',
      output: 'csr',
      subject: encodeName([{ type: 'CN', value: identity.serialNumber }]),
    });
    assert.ok(key.csr);
    const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${key.csr.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    const issued = await call(station, 'certificates.issue', {
      policyId: policy.id,
      csrPem: pem,
      attributes: { serial: identity.serialNumber },
    });
    const certificate = new X509Certificate(issued.pem);
    const chain = [certificate.raw, new X509Certificate(issued.chainPem).raw];
    await device.writeCredentials({ chain, trustAnchors: [] });

    const readBack = await device.readCredentials();
    assert.equal(readBack.chain.length, 2);
    assert.ok(readBack.chain[0]!.equals(chain[0]!));
    assert.ok(readBack.chain[1]!.equals(chain[1]!));

    const challenge = randomBytes(32);
    const proof = await device.proveKeyPossession(challenge);
    assert.ok(!('unsupported' in proof));
    assert.ok(
      verify(proof.hash, proof.message, certificate.publicKey, proof.signature),
      'signed with the certified key',
    );
    assert.ok(!verify(proof.hash, Buffer.from('other'), certificate.publicKey, proof.signature));

    await device.lock();
    assert.equal((await device.identify()).lifecycle, 'locked');
    await assert.rejects(device.writeCredentials({ chain, trustAnchors: [] }));
    await assert.rejects(device.factoryReset());
  });
});
