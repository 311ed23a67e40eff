// Every simulator fault on a gang of its own ports: each misbehaving device FAILs with the code
// and step an operator needs, the ones the station can recover from PASS, and no device is
// recorded as Provisioned (or locked) unless it really passed.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeviceFaults } from '../../main/core/device/simulator/faults';
import { startSimulator, type Simulator } from '../../main/core/device/simulator/simulator';
import { openStation, type Station } from '../../main/core/station';
import type { LineStatus, PortTile } from '../../preload/contract';
import { setUpLine, type TestLine, waitForLine } from '../helpers/line';
import { call } from '../helpers/pki';
import { tempDir } from '../helpers/temp-dir';

/** Port number → the fault it plays and what the station must make of it. */
const cases: Array<{ faults: DeviceFaults; expect: ['pass'] | ['fail', string, string] }> = [
  { faults: {}, expect: ['pass'] },
  { faults: { badCsr: true }, expect: ['fail', 'CSR_SIGNATURE_INVALID', 'key'] },
  { faults: { refuseLock: true }, expect: ['fail', 'LOCK_FAILED', 'proven'] },
  { faults: { wrongReadback: true }, expect: ['fail', 'READBACK_MISMATCH', 'written'] },
  { faults: { wrongPopKey: true }, expect: ['fail', 'POSSESSION_FAILED', 'read-back'] },
  { faults: { unplug: true }, expect: ['fail', 'DEVICE_UNPLUGGED', 'issued'] },
  // Recoverable: a response cut off once, and a line losing bytes, cost retries, not the device.
  { faults: { stall: true }, expect: ['pass'] },
  { faults: { drop: 0.0005 }, expect: ['pass'] },
  // Locks, but the answer never arrives: the station cannot know, so it is not PASS (yet).
  { faults: { lockSilent: true }, expect: ['fail', 'LOCK_FAILED', 'proven'] },
];

const finished = (status: LineStatus) => status.ports.every((p) => p.state === 'pass' || p.state === 'fail');

describe('the line with faulty devices', () => {
  const dir = tempDir();
  let simulator: Simulator;
  let station: Station;
  let line: TestLine;
  let tiles: PortTile[];

  before(async () => {
    simulator = await startSimulator({
      ports: cases.length,
      baudRate: 115200,
      stateDir: path.join(dir, 'sim'),
      faults: Object.fromEntries(cases.map((c, i) => [i + 1, c.faults])),
    });
    station = openStation(path.join(dir, 'station'), { keyStore: { pin: '1234' }, line: { pollMs: 50 } });
    line = await setUpLine(
      station,
      dir,
      simulator.ports.map((p) => p.stationPath),
    );
    await call(station, 'line.start', { recipeId: line.recipe.id });
    tiles = (await waitForLine(station, finished, 60_000)).ports;
  });

  after(async () => {
    await station.close();
    await simulator.close();
  });

  for (const [i, c] of cases.entries()) {
    it(`port ${i + 1} (${JSON.stringify(c.faults)}) ends ${c.expect.join(' ')}`, () => {
      const tile = tiles[i]!;
      assert.deepEqual(
        [tile.state, ...(tile.failure ? [tile.failure.code, tile.failure.step] : [])],
        c.expect,
        tile.failure?.message,
      );
      if (tile.failure) assert.ok(tile.failure.remedy.length > 20, 'a FAIL comes with a remedy in plain words');
    });
  }

  it('records as Provisioned and leaves locked only the devices that passed', () => {
    for (const [i, c] of cases.entries()) {
      const serial = simulator.ports[i]!.serialNumber;
      const device = station.db
        .prepare("SELECT state FROM devices WHERE name = ? AND state <> 'Deleted'")
        .get(serial) as { state: string } | undefined;
      const passed = c.expect[0] === 'pass';
      assert.equal(device?.state === 'Provisioned', passed, `${serial}: ${device?.state}`);
      // The unplugged device's state file is the device's: it never got its lock either.
      const locked = passed || c.faults.lockSilent === true;
      assert.equal(simulator.devices[i]!.snapshot().lifecycle === 'locked', locked, `${serial} lock`);
      const outcome = station.db
        .prepare('SELECT outcome, failure_code FROM provisionings WHERE serial_number = ? ORDER BY seq DESC')
        .get(serial) as { outcome: string; failure_code: string | null };
      assert.equal(outcome.outcome, c.expect[0]);
    }
    const { passed, failed } = station.line.status().counters;
    assert.deepEqual([passed, failed], [3, 6]);
  });

  it('repeats an unplugged device safely once it is back: a new certificate supersedes the first', async () => {
    const port = cases.findIndex((c) => c.faults.unplug) + 1;
    const serial = simulator.ports[port - 1]!.serialNumber;
    const before = station.db
      .prepare(
        'SELECT c.id FROM certificates c JOIN provisionings p ON p.id = c.provisioning_id WHERE p.serial_number = ?',
      )
      .all(serial) as Array<{ id: string }>;
    assert.equal(before.length, 1, 'the first attempt issued (and recorded) a certificate before the unplug');
    await simulator.restartPort(port);
    const status = await waitForLine(station, (s) => s.ports[port - 1]?.state === 'pass', 30_000);
    assert.equal(status.ports[port - 1]?.serialNumber, serial);
    const certificates = station.db
      .prepare(
        'SELECT c.id, c.status FROM certificates c JOIN provisionings p ON p.id = c.provisioning_id WHERE p.serial_number = ? ORDER BY c.seq',
      )
      .all(serial) as Array<{ id: string; status: string }>;
    assert.deepEqual(
      certificates.map((c) => c.status),
      ['superseded', 'issued'],
    );
    const audit = station.db
      .prepare("SELECT details FROM audit_log WHERE action = 'certificate.superseded' AND subject = ?")
      .get(certificates[0]!.id) as { details: string };
    assert.equal(JSON.parse(audit.details).supersededBy, certificates[1]!.id);
  });

  it('adopts the certificate a locked device holds after its LOCK answer was lost, and passes it', async () => {
    const port = cases.findIndex((c) => c.faults.lockSilent) + 1;
    const serial = simulator.ports[port - 1]!.serialNumber;
    const issued = () =>
      (
        station.db
          .prepare(
            'SELECT count(*) AS n FROM certificates c JOIN provisionings p ON p.id = c.provisioning_id WHERE p.serial_number = ?',
          )
          .get(serial) as { n: number }
      ).n;
    assert.equal(issued(), 1);
    // Power-cycled (put back): the station sees a locked device with no PASS, holding its certificate.
    await simulator.restartPort(port);
    const status = await waitForLine(station, (s) => s.ports[port - 1]?.state === 'pass', 30_000);
    assert.equal(status.ports[port - 1]?.alreadyProvisioned, false);
    assert.equal(issued(), 1, 'nothing was issued again');
    const adopted = station.db
      .prepare("SELECT subject FROM audit_log WHERE action = 'line.certificate-adopted'")
      .all() as Array<{ subject: string }>;
    assert.deepEqual(
      adopted.map((a) => a.subject),
      [status.ports[port - 1]?.provisioningId],
    );
    const device = station.db
      .prepare("SELECT state FROM devices WHERE name = ? AND state <> 'Deleted'")
      .get(serial) as { state: string };
    assert.equal(device.state, 'Provisioned');
  });

  it('fails a second device claiming a serial that already passed, and one that races it on the gang', async () => {
    await call(station, 'line.stop', {});
    // Another fixture's simulator numbers its boards from SIM000001 too: clones of passed serials.
    const clones = await startSimulator({
      ports: 2,
      baudRate: 115200,
      stateDir: path.join(dir, 'clones'),
      faults: { 2: { duplicateSerialOf: 1 } },
    });
    try {
      const { id, createdAt, updatedAt, ...fields } = line.recipe;
      assert.ok(id && createdAt <= updatedAt);
      const recipe = await call(station, 'recipes.create', {
        ...fields,
        name: 'Clones',
        ports: clones.ports.map((p) => p.stationPath),
      });
      await call(station, 'line.start', { recipeId: recipe.id });
      const status = await waitForLine(station, finished, 30_000);
      // Both boards report SIM000001, which passed on the first gang: neither gets an identity.
      assert.deepEqual(
        status.ports.map((p) => [p.serialNumber, p.state, p.failure?.code, p.failure?.step]),
        [
          ['SIM000001', 'fail', 'DUPLICATE_SERIAL', 'identified'],
          ['SIM000001', 'fail', 'DUPLICATE_SERIAL', 'identified'],
        ],
      );
      assert.equal(clones.devices[0]!.snapshot().lifecycle, 'open');
      const live = station.db
        .prepare(
          "SELECT count(*) AS n FROM certificates c JOIN provisionings p ON p.id = c.provisioning_id WHERE p.serial_number = 'SIM000001' AND c.status = 'issued'",
        )
        .get() as { n: number };
      assert.equal(live.n, 1, 'only the first board holds a live certificate for SIM000001');
      await call(station, 'line.stop', {});
    } finally {
      await clones.close();
    }
  });
});
