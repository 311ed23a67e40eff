// The simulator's feed mode, through real PTYs: a locked device leaves the fixture and the next
// board of the supply answers on the same station port, until the supply is used up; a restarted
// simulator goes on with the numbering and never brings a locked board back.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { simCommand } from '../../main/cli/sim-command';
import { UsageError } from '../../main/cli/output';
import { findDriver, type DeviceConnection, type DeviceIdentity } from '../../main/core/device/drivers';
import { startSimulator, type Simulator } from '../../main/core/device/simulator/simulator';
import type { ByteLink } from '../../main/core/device/transports/byte-link';
import { openSerialPort } from '../../main/core/device/transports/serial-port';
import { tempDir } from '../helpers/temp-dir';

const BAUD = 115200;

interface Station {
  link: ByteLink;
  device: DeviceConnection;
  close(): Promise<void>;
}

/** The station's side of a port, kept open across swaps like a real fixture's adapter. */
async function openStationPort(simulator: Simulator, port: number): Promise<Station> {
  const link = await openSerialPort(simulator.ports[port - 1]!.stationPath, { baudRate: BAUD });
  const device = await findDriver('trustline').connect(link);
  return {
    link,
    device,
    async close() {
      device.release();
      await link.close();
    },
  };
}

/** Swaps reported by onSwap, and a way to wait for the next ones. */
function swapRecorder() {
  const swaps: Array<[number, string | null]> = [];
  let wake: (() => void) | undefined;
  return {
    swaps,
    onSwap(port: number, serialNumber: string | null) {
      swaps.push([port, serialNumber]);
      wake?.();
    },
    async until(count: number, timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (swaps.length < count) {
        assert.ok(Date.now() < deadline, `expected ${count} swaps, saw ${JSON.stringify(swaps)}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
    },
  };
}

/** Identifies until another device than `previous` answers (the gap in between answers nothing). */
async function identifyNext(device: DeviceConnection, previous: string, timeoutMs = 15_000): Promise<DeviceIdentity> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const identity = await device.identify();
      if (identity.serialNumber !== previous) return identity;
    } catch {
      // Nothing on the fixture for a moment: ask again.
    }
    assert.ok(Date.now() < deadline, `no device other than ${previous} answered`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

describe('simulator feed mode', () => {
  const dir = tempDir('trustline-sim-feed-');
  const stateDir = path.join(dir, 'sim');

  it('puts the next device on a port once its device is locked, until the supply is used up', async () => {
    const recorder = swapRecorder();
    const simulator = await startSimulator({
      ports: 2,
      baudRate: BAUD,
      stateDir,
      feed: { total: 3, swapDelayMs: 300 },
      onSwap: recorder.onSwap,
    });
    const port1 = await openStationPort(simulator, 1);
    const port2 = await openStationPort(simulator, 2);
    try {
      assert.equal(simulator.fed(), 2);
      const first = await port1.device.identify();
      assert.deepEqual([first.serialNumber, first.lifecycle], ['SIM000001', 'open']);

      await port1.device.lock();
      const next = await identifyNext(port1.device, 'SIM000001');
      assert.deepEqual([next.serialNumber, next.lifecycle], ['SIM000003', 'open']);
      assert.notEqual(next.chipId, first.chipId, 'a new board, not the old one renamed');
      assert.deepEqual(recorder.swaps, [[1, 'SIM000003']]);
      assert.equal(simulator.ports[0]!.serialNumber, 'SIM000003');
      assert.equal(simulator.fed(), 3);
      // The locked board is kept on record, locked, in its own folder.
      assert.equal(
        (readJson(path.join(stateDir, 'port-1', 'device.json')) as { lifecycle: string }).lifecycle,
        'locked',
      );

      await port1.device.lock();
      // The station moves on (polls for the next board): only then is the board taken away.
      await port1.device.identify();
      await port1.device.identify();
      assert.equal(recorder.swaps.length, 1, 'a locked board stays until the station moves on');
      await port1.device.identify();
      await recorder.until(2);
      assert.deepEqual(recorder.swaps[1], [1, null]);
      assert.equal(simulator.ports[0]!.serialNumber, '');
      // Nothing is on the fixture: the station's port stays open, and nothing answers.
      await assert.rejects(port1.device.identify(), /not responding/);
      assert.equal(simulator.fed(), 3);
      assert.equal(
        (readJson(path.join(stateDir, 'devices', 'SIM000003.json')) as { lifecycle: string }).lifecycle,
        'locked',
      );

      // Port 2's board is locked and the simulator stops before the operator takes it away.
      assert.equal((await port2.device.identify()).serialNumber, 'SIM000002');
      await port2.device.lock();
    } finally {
      await port1.close();
      await port2.close();
      await simulator.close();
    }
    assert.deepEqual(readJson(path.join(stateDir, 'feed.json')), { created: 3, ports: [null, 'SIM000002'] });
    assert.equal(recorder.swaps.length, 2, 'close cancels the pending swap');
  });

  it('goes on with the numbering after a restart and never brings a locked device back', async () => {
    const recorder = swapRecorder();
    // A larger supply this time: the emptied port gets a board again, from the shared counter.
    const simulator = await startSimulator({
      ports: 2,
      baudRate: BAUD,
      stateDir,
      feed: { total: 5, swapDelayMs: 100 },
      onSwap: recorder.onSwap,
    });
    const port1 = await openStationPort(simulator, 1);
    const port2 = await openStationPort(simulator, 2);
    try {
      assert.equal(simulator.ports[0]!.serialNumber, 'SIM000004');
      const identity1 = await port1.device.identify();
      assert.deepEqual([identity1.serialNumber, identity1.lifecycle], ['SIM000004', 'open']);

      // SIM000002 was left locked on port 2: it is swapped at once.
      await recorder.until(1);
      assert.deepEqual(recorder.swaps, [[2, 'SIM000005']]);
      const identity2 = await identifyNext(port2.device, 'SIM000002');
      assert.deepEqual([identity2.serialNumber, identity2.lifecycle], ['SIM000005', 'open']);
      assert.equal(simulator.fed(), 5);

      // A power-cycle keeps the port's current board, not the first one it had.
      await port2.close();
      await simulator.restartPort(2);
      const again = await openStationPort(simulator, 2);
      try {
        assert.equal((await again.device.identify()).serialNumber, 'SIM000005');
      } finally {
        await again.close();
      }
    } finally {
      await port1.close();
      await port2.close();
      await simulator.close();
    }
    assert.deepEqual(readJson(path.join(stateDir, 'feed.json')), { created: 5, ports: ['SIM000004', 'SIM000005'] });
  });

  it('refuses a bad --feed on the command line', async () => {
    const state = path.join(dir, 'cli');
    await assert.rejects(
      simCommand(['--ports', '3', '--feed', '2', '--state', state]),
      (error: unknown) => error instanceof UsageError && /--feed must be at least --ports \(3\)/.test(error.message),
    );
    await assert.rejects(
      simCommand(['--ports', '1', '--feed', 'lots', '--state', state]),
      (error: unknown) => error instanceof UsageError && /--feed must be a positive whole number/.test(error.message),
    );
    await assert.rejects(
      simCommand(['--kind', 'nrf91-at', '--ports', '1', '--feed', '2', '--state', state]),
      (error: unknown) => error instanceof UsageError && /--feed applies to trustline devices/.test(error.message),
    );
    await assert.rejects(
      simCommand(['--ports', '1', '--swap-delay', '10', '--state', state]),
      (error: unknown) => error instanceof UsageError && /--swap-delay goes with --feed/.test(error.message),
    );
  });
});
