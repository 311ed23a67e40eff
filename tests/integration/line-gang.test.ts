// A gang of 8 simulated ports provisions 100 devices in one run, the simulator feeding a new
// board onto a port whenever the station has finished with one: every device PASSes, and openssl
// accepts every certificate, which is byte for byte the one the device holds.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../main/core/device/simulator/simulator';
import { openStation, type Station } from '../../main/core/station';
import { toPem } from '../../main/core/pki/pem';
import { setUpLine, simulatedDeviceStates, type TestLine, waitForLine } from '../helpers/line';
import { call, openssl } from '../helpers/pki';
import { tempDir } from '../helpers/temp-dir';

const PORTS = 8;
const DEVICES = 100;

describe('a gang of 8 ports, 100 devices', () => {
  const dir = tempDir();
  let simulator: Simulator;
  let station: Station;
  let line: TestLine;

  before(async () => {
    simulator = await startSimulator({
      ports: PORTS,
      baudRate: 115200,
      stateDir: path.join(dir, 'sim'),
      feed: { total: DEVICES, swapDelayMs: 20 },
    });
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

  it(
    'passes every device, each with a certificate openssl verifies and the device holds',
    { timeout: 180_000 },
    async () => {
      const results: Array<{ serial: string; kind: string }> = [];
      station.line.onDevice((r) => results.push({ serial: r.serialNumber, kind: r.outcome.kind }));
      await call(station, 'line.start', { recipeId: line.recipe.id, lot: 'GANG-100' });
      const status = await waitForLine(station, (s) => s.counters.passed + s.counters.failed >= DEVICES, 150_000);
      await call(station, 'line.stop', {});
      assert.deepEqual(status.counters, { passed: DEVICES, failed: 0, yield: 1 });
      assert.equal(new Set(results.map((r) => r.serial)).size, DEVICES, 'a hundred different devices');

      const rows = station.db
        .prepare(
          `SELECT p.serial_number, c.der, c.status FROM provisionings p JOIN certificates c ON c.id = p.certificate_id
         WHERE p.outcome = 'pass' ORDER BY p.seq`,
        )
        .all() as Array<{ serial_number: string; der: Buffer; status: string }>;
      assert.equal(rows.length, DEVICES);
      // openssl verify takes one certificate per file argument: split the bundle.
      const files = rows.map((r, i) => {
        const file = path.join(dir, `device-${i}.pem`);
        writeFileSync(file, toPem('CERTIFICATE', r.der));
        return file;
      });
      const verified = openssl(['verify', '-CAfile', line.ca.rootFile, '-untrusted', line.ca.chainFile, ...files]);
      assert.equal(
        verified
          .trim()
          .split('\n')
          .filter((l) => l.endsWith(': OK')).length,
        DEVICES,
        verified,
      );

      const held = new Map<string, Buffer>();
      for (const device of simulatedDeviceStates(path.join(dir, 'sim'), PORTS)) {
        const chain = Buffer.from(device.slots.find((s) => s.kind === 'certificateChain')?.content ?? '', 'base64');
        held.set(device.serialNumber, chain);
        assert.equal(device.lifecycle, 'locked', device.serialNumber);
      }
      for (const row of rows) {
        const chain = held.get(row.serial_number);
        assert.ok(chain, `the simulator made ${row.serial_number}`);
        assert.ok(
          chain.subarray(0, row.der.length).equals(row.der),
          `${row.serial_number} holds its recorded certificate`,
        );
        assert.equal(row.status, 'issued');
      }
    },
  );
});
