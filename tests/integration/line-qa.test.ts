// Station-generated keys and scanned labels on the line, then QA: read a device back, check it,
// file a verdict, and export the lot's report; plus the recipe and QA inputs the core refuses.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../main/core/device/simulator/simulator';
import { openStation, type Station } from '../../main/core/station';
import { allIn, setUpLine, type TestLine, waitForLine } from '../helpers/line';
import { call, refused } from '../helpers/pki';
import { tempDir } from '../helpers/temp-dir';

/** Every file under `dir`, for looking for bytes that must never be there. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('station-generated keys, scanned labels and QA', () => {
  const dir = tempDir();
  const stationDir = path.join(dir, 'station');
  let simulator: Simulator;
  let station: Station;
  let line: TestLine;

  before(async () => {
    simulator = await startSimulator({
      ports: 3,
      baudRate: 115200,
      stateDir: path.join(dir, 'sim'),
      faults: { 3: { wrongPopKey: true } },
    });
    station = openStation(stationDir, { keyStore: { pin: '1234' }, line: { pollMs: 50 } });
    line = await setUpLine(
      station,
      dir,
      simulator.ports.map((p) => p.stationPath),
      {
        keyGeneration: 'station-generated',
        operatorAttributes: [{ key: 'label', label: 'Board label', pattern: 'LBL-[0-9]{4}' }],
      },
    );
  });

  after(async () => {
    await station.close();
    await simulator.close();
  });

  it('forgets a board pulled while it waits for its label, and stops without hanging', async () => {
    // Labels given at start stand in for scans only; they may not override device attributes.
    await refused(station, 'line.start', { recipeId: line.recipe.id, labels: { serial: 'LOT7' } }, 'INVALID_INPUT');
    await call(station, 'line.start', { recipeId: line.recipe.id });
    await waitForLine(station, allIn('waiting-label'));
    await simulator.restartPort(1);
    await waitForLine(station, (s) => s.ports[0]?.state !== 'waiting-label');
    await waitForLine(station, allIn('waiting-label'));
    const attempts = station.db.prepare('SELECT count(*) AS n FROM provisionings').get() as { n: number };
    assert.equal(attempts.n, 0, 'nothing was started for a board that never got its label');
    const stopped = await call(station, 'line.stop', {});
    assert.deepEqual(
      stopped.ports.map((p) => p.state),
      ['stopped', 'stopped', 'stopped'],
    );
  });

  it('waits for each device label, refuses a bad scan, and provisions with keys the station made', async () => {
    await call(station, 'line.start', { recipeId: line.recipe.id, lot: 'LOT-QA' });
    await waitForLine(station, allIn('waiting-label'));
    await refused(station, 'line.scan', { code: 'NOT-A-LABEL' }, 'LABEL_INVALID');
    await refused(station, 'line.scan', { code: '   ' }, 'INVALID_INPUT');
    await call(station, 'line.scan', { port: 2, code: 'LBL-0002\r' });
    await call(station, 'line.scan', { code: 'LBL-0001' });
    await call(station, 'line.scan', { code: 'LBL-0003' });
    await refused(station, 'line.scan', { code: 'LBL-0004' }, 'NO_PORT_WAITING_FOR_LABEL');
    const status = await waitForLine(station, allIn('pass', 'fail'));
    assert.deepEqual(
      status.ports.map((p) => [p.state, p.labels['label'], p.failure?.code ?? null]),
      [
        ['pass', 'LBL-0001', null],
        ['pass', 'LBL-0002', null],
        ['fail', 'LBL-0003', 'POSSESSION_FAILED'],
      ],
    );
    for (const [i, tile] of status.ports.slice(0, 2).entries()) {
      const attempt = station.db.prepare('SELECT * FROM provisionings WHERE id = ?').get(tile.provisioningId) as {
        device_id: string;
        certificate_id: string;
      };
      const device = await call(station, 'devices.get', { id: attempt.device_id });
      assert.equal(device.attributes['label'], `LBL-000${i + 1}`);
      // The key the device holds is the one certified, and it was made by the station...
      const certificate = new X509Certificate(
        (await call(station, 'certificates.get', { id: attempt.certificate_id })).pem,
      );
      const slot = simulator.devices[i]!.snapshot().slots.find((s) => s.kind === 'deviceKey');
      const pkcs8 = Buffer.from(slot?.privateKey ?? '', 'base64');
      const held = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }));
      assert.ok(held.equals(certificate.publicKey));
      // ...and never written to the station's disk in clear (not in the database, its WAL, the key store).
      const jwk = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
      const scalar = Buffer.from(jwk.d ?? '', 'base64url');
      assert.equal(scalar.length, 32);
      for (const file of filesUnder(stationDir)) {
        assert.equal(readFileSync(file).includes(scalar), false, `${file} holds the device's private key`);
      }
    }
  });

  it('refuses QA on a port the line is using', async () => {
    await refused(station, 'qa.inspect', { port: simulator.ports[0]!.stationPath }, 'LINE_PORT_BUSY');
    await call(station, 'line.stop', {});
  });

  it('inspects a passed device, files a verdict, and exports the lot report as CSV and PDF', async () => {
    const inspection = await call(station, 'qa.inspect', { port: simulator.ports[0]!.stationPath });
    assert.equal(inspection.serialNumber, simulator.ports[0]!.serialNumber);
    assert.deepEqual(
      inspection.checks.map((c) => [c.name, c.ok]),
      [
        ['read-back', true],
        ['provisioned', true],
        ['policy', true],
        ['record-match', true],
        ['chain', true],
        ['possession', true],
      ],
    );
    assert.equal(inspection.ok, true);
    assert.equal(inspection.lot, 'LOT-QA');
    const verdict = await call(station, 'qa.recordVerdict', {
      inspectionId: inspection.id,
      verdict: 'pass',
      technician: 'Dana Kim',
      notes: 'sampled, 1 of 3',
    });
    assert.equal(verdict.checks.length, 6);
    await refused(
      station,
      'qa.recordVerdict',
      { inspectionId: '00000000-0000-4000-8000-000000000000', verdict: 'pass', technician: 'Dana Kim' },
      'INSPECTION_NOT_FOUND',
    );

    const [run] = await call(station, 'line.runs', {});
    assert.equal(run?.lot, 'LOT-QA');
    const csv = await call(station, 'qa.report', { runId: run!.id, format: 'csv' });
    const text = Buffer.from(csv.contentBase64, 'base64').toString('utf8');
    assert.equal(csv.rows, 3);
    const sampled = text.split('\r\n').find((l) => l.startsWith(`${simulator.ports[0]!.serialNumber},`));
    assert.match(sampled ?? '', /,pass,pass,Dana Kim,/);
    assert.match(text, new RegExp(`${simulator.ports[2]!.serialNumber},.*,fail,,`));
    const pdf = await call(station, 'qa.report', { runId: run!.id, format: 'pdf' });
    const file = path.join(dir, pdf.fileName);
    writeFileSync(file, Buffer.from(pdf.contentBase64, 'base64'));
    const extracted = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    assert.match(extracted, /LOT-QA/);
    assert.match(extracted, new RegExp(simulator.ports[1]!.serialNumber));
    const audited = station.db
      .prepare("SELECT count(*) AS n FROM audit_log WHERE action IN ('qa.verdict', 'qa.report-exported')")
      .get() as { n: number };
    assert.equal(audited.n, 3);
  });

  it('catches a device that cannot prove possession, and checks a record without the device', async () => {
    const faulty = await call(station, 'qa.inspect', { port: simulator.ports[2]!.stationPath });
    assert.equal(faulty.ok, false);
    assert.equal(faulty.checks.find((c) => c.name === 'possession')?.ok, false);
    assert.equal(faulty.checks.find((c) => c.name === 'provisioned')?.ok, false);
    // A PASS vouches for the device: not from a failed inspection, nor from the record alone.
    await refused(
      station,
      'qa.recordVerdict',
      { inspectionId: faulty.id, verdict: 'pass', technician: 'Dana Kim' },
      'VERDICT_NOT_ALLOWED',
    );
    await call(station, 'qa.recordVerdict', { inspectionId: faulty.id, verdict: 'fail', technician: 'Dana Kim' });
    await refused(
      station,
      'qa.recordVerdict',
      { inspectionId: faulty.id, verdict: 'fail', technician: 'Dana Kim' },
      'INSPECTION_NOT_FOUND',
    );
    const byRecord = await call(station, 'qa.inspect', { serialNumber: simulator.ports[1]!.serialNumber });
    assert.equal(byRecord.source, 'record');
    assert.deepEqual(
      byRecord.checks.filter((c) => c.ok === null).map((c) => c.name),
      ['read-back', 'possession'],
    );
    assert.equal(byRecord.ok, true);
    await refused(
      station,
      'qa.recordVerdict',
      { inspectionId: byRecord.id, verdict: 'pass', technician: 'Dana Kim' },
      'VERDICT_NOT_ALLOWED',
    );
    const unknown = await call(station, 'qa.inspect', { serialNumber: 'NO-SUCH-DEVICE' });
    assert.equal(unknown.ok, false);
  });

  it('refuses bad recipes and leaves the store alone', async () => {
    const base = { name: 'Bad', groupId: line.groupId, policyId: line.policyId, ports: ['/dev/ttyUSB0'] };
    await refused(station, 'recipes.create', { ...base, ports: [] }, 'INVALID_INPUT');
    await refused(station, 'recipes.create', { ...base, ports: ['/dev/a', '/dev/a'] }, 'INVALID_INPUT');
    await refused(station, 'recipes.create', { ...base, driver: 'no-such-driver' }, 'RECIPE_INVALID');
    await refused(
      station,
      'recipes.create',
      { ...base, keyGeneration: 'station-generated', keyType: 'Ed25519' },
      'RECIPE_INVALID',
    );
    await refused(station, 'recipes.create', { ...base, name: line.recipe.name }, 'RECIPE_NAME_TAKEN');
    await refused(
      station,
      'recipes.create',
      { ...base, policyId: '00000000-0000-4000-8000-000000000000' },
      'POLICY_NOT_FOUND',
    );
    await refused(
      station,
      'recipes.create',
      { ...base, operatorAttributes: [{ key: 'label', label: 'Label', pattern: '([' }] },
      'INVALID_INPUT',
    );
    const slow = await refused(
      station,
      'recipes.create',
      { ...base, operatorAttributes: [{ key: 'label', label: 'Label', pattern: '(LBL-[0-9]+)+' }] },
      'INVALID_INPUT',
    );
    assert.match(slow, /repeat a group that itself repeats/);
    await refused(station, 'recipes.delete', { id: line.recipe.id }, 'RECIPE_INVALID');
    await refused(station, 'line.stop', {}, 'LINE_NOT_RUNNING');
  });
});
