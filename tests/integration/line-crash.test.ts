// Crash safety: the headless line is killed with SIGKILL at random moments, again and again,
// while simulated devices keep arriving; then it runs to the end. Afterwards the invariants that
// users trust us for must hold over everything the station and the devices remember.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { startSimulator, type Simulator } from '../../main/core/device/simulator/simulator';
import { verifyAuditLog } from '../../main/core/audit/audit-log.repo';
import { openStation } from '../../main/core/station';
import { databaseFileName } from '../../main/core/store/database';
import { setUpLine, simulatedDeviceStates } from '../helpers/line';
import { tempDir } from '../helpers/temp-dir';

const PORTS = 4;
const DEVICES = 20;
const KILLS = 8;

/** A seeded generator, so a failing run can be replayed with the same kill moments. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function startLine(dataDir: string): ChildProcess {
  return spawn(
    process.execPath,
    ['--import', 'tsx', 'main/cli/trustline.ts', 'line', 'run', '--recipe', 'Sensor v2', '--json', '--data', dataDir],
    { env: { ...process.env, TRUSTLINE_HSM_PIN: '1234' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** Resolves when `line run` says the line is running (it prints that once the run is open). */
function lineRunning(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('line running')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`line run exited (${code}) before running: ${text}`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

const simulatedDevices = (stateDir: string) => simulatedDeviceStates(stateDir, PORTS);

describe('the line under kill -9', () => {
  const dir = tempDir();
  const dataDir = path.join(dir, 'station');
  const stateDir = path.join(dir, 'sim');
  let simulator: Simulator;

  before(async () => {
    simulator = await startSimulator({
      ports: PORTS,
      baudRate: 115200,
      stateDir,
      feed: { total: DEVICES, swapDelayMs: 30 },
    });
    const station = openStation(dataDir, { keyStore: { pin: '1234' } });
    await setUpLine(
      station,
      dir,
      simulator.ports.map((p) => p.stationPath),
    );
    await station.close();
  });

  after(async () => {
    await simulator.close();
  });

  it(
    'loses no issuance, duplicates no serial, and never passes a device unverified',
    { timeout: 240_000 },
    async (t) => {
      const random = seeded(Number(process.env['TRUSTLINE_CRASH_SEED'] ?? 7));
      for (let kill = 0; kill < KILLS; kill++) {
        const child = startLine(dataDir);
        // Counted from the line's start (start-up time depends on the machine's load), the kills
        // land within the first devices' steps and between them.
        await lineRunning(child);
        await new Promise((resolve) => setTimeout(resolve, random() * 1200));
        child.kill('SIGKILL');
        await exited(child);
      }
      // Then to the end: until every device the simulator will ever make is locked.
      const child = startLine(dataDir);
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const deadline = Date.now() + 150_000;
      while (simulatedDevices(stateDir).filter((d) => d.lifecycle === 'locked').length < DEVICES) {
        if (Date.now() > deadline || child.exitCode !== null) {
          child.kill('SIGKILL');
          assert.fail(`the line did not finish the devices: ${stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      child.kill('SIGTERM');
      await exited(child);

      const db = new Database(path.join(dataDir, databaseFileName), { readonly: true });
      try {
        const certificates = db
          .prepare('SELECT id, serial, der, status, provisioning_id FROM certificates')
          .all() as Array<{
          id: string;
          serial: string;
          der: Buffer;
          status: string;
          provisioning_id: string | null;
        }>;
        // No duplicate serial.
        assert.equal(new Set(certificates.map((c) => c.serial)).size, certificates.length);

        // No certificate a device holds is missing from the records, and every device passed once.
        const devices = simulatedDevices(stateDir);
        assert.equal(devices.length, DEVICES);
        const recorded = new Map(certificates.map((c) => [c.der.toString('base64'), c]));
        for (const device of devices) {
          const chain = Buffer.from(device.slots.find((s) => s.kind === 'certificateChain')?.content ?? '', 'base64');
          const leafLength = chain.readUInt16BE(2) + 4;
          const held = recorded.get(chain.subarray(0, leafLength).toString('base64'));
          assert.ok(held, `${device.serialNumber} holds a certificate the station has no record of`);
          assert.equal(held.status, 'issued', `${device.serialNumber}'s certificate is live`);
          const passes = db
            .prepare("SELECT * FROM provisionings WHERE serial_number = ? AND outcome = 'pass'")
            .all(device.serialNumber) as Array<{ id: string; certificate_id: string }>;
          assert.equal(passes.length, 1, `${device.serialNumber} passed exactly once`);
          assert.equal(
            passes[0]?.certificate_id,
            held.id,
            `${device.serialNumber} passed with the certificate it holds`,
          );
        }

        // Never two live certificates for one device from one run.
        const live = db
          .prepare(
            `SELECT p.run_id, p.serial_number, count(*) AS n FROM certificates c JOIN provisionings p ON p.id = c.provisioning_id
           WHERE c.status = 'issued' GROUP BY p.run_id, p.serial_number HAVING n > 1`,
          )
          .all();
        assert.deepEqual(live, []);

        // No PASS without read-back and proof of possession recorded before it in the same attempt.
        const passes = db.prepare("SELECT id FROM provisionings WHERE outcome = 'pass'").all() as Array<{ id: string }>;
        assert.equal(passes.length, DEVICES);
        for (const { id } of passes) {
          const actions = (
            db.prepare('SELECT action FROM audit_log WHERE subject = ? ORDER BY seq').all(id) as Array<{
              action: string;
            }>
          ).map((r) => r.action);
          const verified = actions.lastIndexOf('line.device-verified');
          assert.ok(
            verified >= 0 && verified < actions.indexOf('line.device-passed'),
            `attempt ${id}: ${actions.join(',')}`,
          );
        }
        // The lifecycle followed: every device record is Provisioned, and the audit chain is whole.
        const states = db.prepare('SELECT state, count(*) AS n FROM devices GROUP BY state').all();
        assert.deepEqual(states, [{ state: 'Provisioned', n: DEVICES }]);
        assert.equal(verifyAuditLog(db as never).ok, true);
        // The kills landed in the middle of runs: restarts resumed them.
        const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
        const resumed = count("SELECT count(*) AS n FROM audit_log WHERE action = 'line.resume'");
        assert.equal(resumed, KILLS, 'every restart resumed the run the kill interrupted');
        t.diagnostic(
          `resumed runs ${resumed}, superseded certificates ${count("SELECT count(*) AS n FROM certificates WHERE status = 'superseded'")}, ` +
            `failed attempts ${JSON.stringify(db.prepare("SELECT failure_code, failure_step, failure_message, count(*) AS n FROM provisionings WHERE outcome = 'fail' GROUP BY 1, 2, 3").all())}, ` +
            `attempts left open by a kill ${count("SELECT count(*) AS n FROM provisionings WHERE outcome = 'in-progress'")}`,
        );
      } finally {
        db.close();
      }
    },
  );
});
