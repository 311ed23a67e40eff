// The line over simulated devices on real PTYs, with the station's SoftHSM2 CA: every device goes
// to PASS only after read-back and proof of possession, the records and the lifecycle follow,
// and openssl accepts what the devices hold.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../main/core/device/simulator/simulator';
import { verifyAuditLog } from '../../main/core/audit/audit-log.repo';
import { openStation, type Station } from '../../main/core/station';
import { allIn, setUpLine, type TestLine, waitForLine } from '../helpers/line';
import { call, openssl, refused } from '../helpers/pki';
import { tempDir } from '../helpers/temp-dir';

describe('the line', () => {
  const dir = tempDir();
  let simulator: Simulator;
  let station: Station;
  let line: TestLine;

  before(async () => {
    simulator = await startSimulator({ ports: 2, baudRate: 115200, stateDir: path.join(dir, 'sim') });
    station = openStation(path.join(dir, 'station'), { keyStore: { pin: '1234' }, line: { pollMs: 50 } });
    line = await setUpLine(
      station,
      dir,
      simulator.ports.map((p) => p.stationPath),
    );
  });

  after(async () => {
    await station.close();
    await simulator.close();
  });

  it('provisions every port to PASS with verified, recorded, locked credentials', async () => {
    await call(station, 'line.start', { recipeId: line.recipe.id, lot: 'LOT-1' });
    const status = await waitForLine(station, allIn('pass', 'fail'));
    assert.deepEqual(
      status.ports.map((p) => [p.state, p.failure?.code ?? null]),
      [
        ['pass', null],
        ['pass', null],
      ],
    );
    assert.deepEqual(status.counters, { passed: 2, failed: 0, yield: 1 });
    for (const [i, port] of simulator.ports.entries()) {
      const tile = status.ports[i]!;
      assert.equal(tile.serialNumber, port.serialNumber);
      const held = simulator.devices[i]!.snapshot();
      assert.equal(held.lifecycle, 'locked');
      const attempt = station.db.prepare('SELECT * FROM provisionings WHERE id = ?').get(tile.provisioningId) as {
        outcome: string;
        step: string;
        certificate_id: string;
        device_id: string;
      };
      assert.equal(attempt.outcome, 'pass');
      const cert = await call(station, 'certificates.get', { id: attempt.certificate_id });
      const file = path.join(dir, `device-${i}.pem`);
      writeFileSync(file, cert.pem);
      assert.match(openssl(['verify', '-CAfile', line.ca.rootFile, '-untrusted', line.ca.chainFile, file]), /: OK/);
      assert.match(openssl(['x509', '-in', file, '-noout', '-subject']), new RegExp(`CN ?= ?${port.serialNumber}`));
      // What the device holds starts with exactly the recorded certificate.
      const chainSlot = held.slots.find((slot) => slot.kind === 'certificateChain');
      const leafDer = Buffer.from(cert.pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
      assert.ok(
        Buffer.from(chainSlot?.content ?? '', 'base64')
          .subarray(0, leafDer.length)
          .equals(leafDer),
      );
      const record = await call(station, 'devices.get', { id: attempt.device_id });
      assert.equal(record.state, 'Provisioned');
      assert.equal(record.attributes['serial'], port.serialNumber);
    }
    assert.equal(verifyAuditLog(station.db).ok, true);
    const actions = (station.db.prepare('SELECT action FROM audit_log').all() as Array<{ action: string }>).map(
      (r) => r.action,
    );
    for (const action of [
      'line.start',
      'certificate.issued',
      'line.credentials-written',
      'line.device-verified',
      'line.device-locked',
      'line.device-passed',
    ]) {
      assert.ok(actions.includes(action), `audit has ${action}`);
    }
  });

  it('refuses a second start and recipe edits while running', async () => {
    await refused(station, 'line.start', { recipeId: line.recipe.id }, 'LINE_RUNNING');
    const { id, createdAt, updatedAt, ...fields } = line.recipe;
    assert.ok(createdAt <= updatedAt);
    await refused(station, 'recipes.update', { id, ...fields, lockAfterPass: false }, 'LINE_RUNNING');
  });

  it('stops, and a restart shows the same devices as already provisioned without issuing again', async () => {
    await call(station, 'line.stop', {});
    const certificates = (station.db.prepare('SELECT count(*) AS n FROM certificates').get() as { n: number }).n;
    await call(station, 'line.start', { recipeId: line.recipe.id, lot: 'LOT-2' });
    const status = await waitForLine(station, (s) => s.ports.every((p) => p.state === 'pass' && p.alreadyProvisioned));
    assert.deepEqual(status.counters, { passed: 0, failed: 0, yield: null });
    assert.equal((station.db.prepare('SELECT count(*) AS n FROM certificates').get() as { n: number }).n, certificates);
    await call(station, 'line.stop', {});
  });
});
