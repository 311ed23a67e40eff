// The simulator's paced output: bytes leave at baudRate / 10 per second against a wire clock,
// late timers catch up instead of drifting, and an idle line restarts the clock. Driven by
// mocked timers and an injected clock, so nothing here depends on the machine's speed.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { createPacedOutput } from '../../main/core/device/simulator/paced-output';
import type { ByteLink } from '../../main/core/device/transports/byte-link';

/** A link that records what was written and when (by the mocked Date clock). */
function recordingLink() {
  const writes: Array<{ at: number; bytes: Buffer }> = [];
  const link: ByteLink = {
    path: 'test',
    write: async (data) => {
      writes.push({ at: Date.now(), bytes: Buffer.from(data) });
    },
    onData: () => () => undefined,
    onClose: () => () => undefined,
    close: async () => undefined,
  };
  const total = () => writes.reduce((n, w) => n + w.bytes.length, 0);
  return { link, writes, total };
}

describe('paced output', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 }));
  afterEach(() => mock.timers.reset());

  it('sends 115200 baud as 11.52 bytes per millisecond, never ahead of the wire clock', () => {
    const { link, writes, total } = recordingLink();
    const output = createPacedOutput(link, 115_200, { now: () => Date.now() });
    const data = Buffer.alloc(1152, 0x55); // 100 ms of line time
    output.send(data);
    for (let t = 1; t <= 120; t++) {
      mock.timers.tick(1);
      // At every instant: no more bytes out than the wire could have carried since the start.
      assert.ok(total() <= Math.floor(t * 11.52), `${total()} bytes out after ${t} ms`);
    }
    assert.equal(total(), 1152);
    assert.deepEqual(Buffer.concat(writes.map((w) => w.bytes)), data);
    // The last byte leaves at 100 ms (within a tick), not before.
    assert.ok(writes.at(-1)!.at - 1_000_000 >= 99);
    output.stop();
  });

  it('catches up when a timer fires late instead of pushing later bytes back', () => {
    const { link, total } = recordingLink();
    const output = createPacedOutput(link, 115_200, { now: () => Date.now() });
    output.send(Buffer.alloc(1152, 1));
    // One 50 ms stall: everything due by then goes out at once.
    mock.timers.tick(50);
    assert.equal(total(), Math.floor(50 * 11.52));
    // And the rest is done at the original 100 ms mark, not 50 ms after the stall.
    mock.timers.tick(50);
    assert.equal(total(), 1152);
    output.stop();
  });

  it('keeps one clock across back-to-back sends and restarts it only after the line was idle', () => {
    const { link, total } = recordingLink();
    const output = createPacedOutput(link, 11_520, { now: () => Date.now() }); // 1.152 bytes/ms
    output.send(Buffer.alloc(576, 1)); // 500 ms
    mock.timers.tick(250);
    output.send(Buffer.alloc(576, 2)); // queued behind: the clock is not reset for it
    mock.timers.tick(750);
    assert.equal(total(), 1152); // both done at 1000 ms, as one 1000 ms busy period
    mock.timers.tick(1000); // idle
    output.send(Buffer.alloc(115, 3)); // 100 ms from now, not "already due"
    mock.timers.tick(50);
    assert.ok(total() - 1152 <= 58);
    mock.timers.tick(60);
    assert.equal(total(), 1152 + 115);
    output.stop();
  });
});
