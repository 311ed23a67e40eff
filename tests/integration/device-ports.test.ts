// Port discovery and hot-plug over real PTYs (socat): a temp folder of PTY links stands in for
// the simulator's `ports/` folder (an extra root). Arrival and removal must be reported within a
// second (the bound, polled every 250 ms); the tests wait up to 2 s for the event itself
// and never sleep for a fixed time.
import assert from 'node:assert/strict';
import { mkdtempSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { portsCommand } from '../../main/cli/ports-command';
import { scanPorts, type PortInfo } from '../../main/core/device/ports/port-scan';
import { watchPorts, type PortEvent } from '../../main/core/device/ports/port-watcher';
import { createPtyPair, type PtyPair } from '../../main/core/device/transports/pty-pairs';

const EVENT_TIMEOUT_MS = 2_000;

let dir: string;
let first: PtyPair;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'trustline-ports-'));
  first = await createPtyPair(dir, 'port1');
});

after(async () => {
  await first.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Collects a watcher's events; `next` waits for the first (new) one matching. */
function eventLog() {
  const events: PortEvent[] = [];
  const waiters = new Set<{ match: (event: PortEvent) => boolean; resolve: (event: PortEvent) => void }>();
  return {
    events,
    onChange(event: PortEvent) {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.match(event)) {
          waiters.delete(waiter);
          waiter.resolve(event);
        }
      }
    },
    next(match: (event: PortEvent) => boolean, what: string): Promise<PortEvent> {
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (event: PortEvent) => {
            clearTimeout(timer);
            resolve(event);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no ${what} within ${EVENT_TIMEOUT_MS} ms; events: ${JSON.stringify(events)}`));
        }, EVENT_TIMEOUT_MS);
        waiters.add(waiter);
      });
    },
  };
}

const extraIds = (ports: PortInfo[]) => ports.filter((port) => port.source === 'extra').map((port) => port.id);

describe('scanPorts over PTYs', () => {
  it('lists the station end of a PTY pair in an extra root, under its link path', async () => {
    const ports = await scanPorts([dir]);
    const port = ports.find((p) => p.source === 'extra');
    assert.ok(port, `no extra port in ${JSON.stringify(ports)}`);
    assert.equal(port.id, first.stationPath);
    assert.equal(port.path, first.stationPath);
    assert.match(port.target, /^\/dev\/pts\/\d+$/);
    assert.equal(port.usb, undefined);
    // The device end of a simulator pair is not a station port.
    assert.deepEqual(extraIds(ports), [first.stationPath]);
  });

  it('gives the same id on every scan', async () => {
    const a = await scanPorts([dir]);
    const b = await scanPorts([dir]);
    assert.deepEqual(extraIds(b), extraIds(a));
    assert.deepEqual(b, a);
  });

  it('treats a root that does not exist as empty', async () => {
    const ports = await scanPorts([path.join(dir, 'no-such-folder')]);
    assert.deepEqual(extraIds(ports), []);
  });
});

describe('watchPorts over PTYs', () => {
  it('reports the ports present at the start, then a second pair arriving and leaving', async () => {
    const log = eventLog();
    const watcher = watchPorts({ roots: [dir] }, (event) => log.onChange(event));
    let second: PtyPair | undefined;
    try {
      await watcher.ready;
      assert.ok(
        log.events.some((e) => e.kind === 'arrived' && e.port.id === first.stationPath),
        'the port present at the start is reported as arrived',
      );
      assert.ok(watcher.current().some((port) => port.id === first.stationPath));
      const before = log.events.length;

      const secondStation = path.join(dir, 'port2-station');
      const arrived = log.next((e) => e.kind === 'arrived' && e.port.id === secondStation, 'arrival');
      second = await createPtyPair(dir, 'port2');
      const arrival = await arrived;
      assert.equal(arrival.port.source, 'extra');
      assert.equal(arrival.port.path, second.stationPath);
      assert.ok(watcher.current().some((port) => port.id === secondStation));

      const left = log.next((e) => e.kind === 'left' && e.port.id === secondStation, 'removal');
      await second.close();
      second = undefined;
      const removal = await left;
      assert.equal(removal.port.target, arrival.port.target);
      assert.ok(!watcher.current().some((port) => port.id === secondStation));

      // Only the second pair's arrival and removal happened since the start: nothing is
      // reported for the ports that stayed the same.
      assert.deepEqual(
        log.events.slice(before).map((e) => [e.kind, e.port.id]),
        [
          ['arrived', secondStation],
          ['left', secondStation],
        ],
      );
    } finally {
      watcher.close();
      await second?.close();
    }
  });

  it('reports arrival and removal by polling alone when fs.watch is off', async () => {
    const log = eventLog();
    const watcher = watchPorts({ roots: [dir], fsWatch: false }, (event) => log.onChange(event));
    let pair: PtyPair | undefined;
    try {
      await watcher.ready;
      const station = path.join(dir, 'port4-station');
      const arrived = log.next((e) => e.kind === 'arrived' && e.port.id === station, 'arrival');
      pair = await createPtyPair(dir, 'port4');
      await arrived;
      const left = log.next((e) => e.kind === 'left' && e.port.id === station, 'removal');
      await pair.close();
      pair = undefined;
      await left;
    } finally {
      watcher.close();
      await pair?.close();
    }
  });

  it('reports a port whose link points at another device as left, then arrived', async () => {
    const log = eventLog();
    const watcher = watchPorts({ roots: [dir] }, (event) => log.onChange(event));
    let pair: PtyPair | undefined;
    try {
      pair = await createPtyPair(dir, 'port3');
      const station = pair.stationPath;
      const firstArrival = await log.next((e) => e.kind === 'arrived' && e.port.id === station, 'arrival');
      // Re-plugged: the same name now leads to another device. A second pair elsewhere is that
      // device (its pts number differs, since the first pair is still open).
      const replugDir = mkdtempSync(path.join(tmpdir(), 'trustline-ports-replug-'));
      try {
        const other = await createPtyPair(replugDir, 'port3');
        try {
          const left = log.next((e) => e.kind === 'left' && e.port.id === station, 'removal');
          const arrived = log.next(
            (e) => e.kind === 'arrived' && e.port.id === station && e.port.target !== firstArrival.port.target,
            're-arrival',
          );
          // Point the station link at the other pair's station end in one atomic rename.
          const tmp = path.join(dir, '.port3-station.tmp');
          symlinkSync(readlinkSync(other.stationPath), tmp);
          renameSync(tmp, station);
          const [removal, arrival] = await Promise.all([left, arrived]);
          assert.equal(removal.port.target, firstArrival.port.target);
          assert.notEqual(arrival.port.target, firstArrival.port.target);
          const order = log.events.filter((e) => e.port.id === station).map((e) => e.kind);
          assert.deepEqual(order, ['arrived', 'left', 'arrived']);
        } finally {
          await other.close();
        }
      } finally {
        rmSync(replugDir, { recursive: true, force: true });
      }
    } finally {
      watcher.close();
      await pair?.close();
    }
  });
});

describe('trustline ports list', () => {
  it('prints the ports of an extra root as JSON', async () => {
    const chunks: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    // Only the command's text is captured: the test runner's own (binary) reports pass through.
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      if (typeof chunk !== 'string') return write(chunk, ...rest);
      chunks.push(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      await portsCommand(['list', '--root', dir, '--json']);
    } finally {
      process.stdout.write = write;
    }
    const ports = JSON.parse(chunks.join('')) as PortInfo[];
    assert.deepEqual(extraIds(ports), [first.stationPath]);
  });

  it('refuses unknown subcommands and options', async () => {
    await assert.rejects(portsCommand(['nope']), /unknown ports command/);
    await assert.rejects(portsCommand(['list', '--bogus']));
  });
});
