import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createWakeablePause } from '../../main/core/timing/wakeable-pause';

describe('a wakeable pause', () => {
  it('ends when woken, long before its time', async () => {
    const idle = createWakeablePause();
    let ended = false;
    const paused = idle.pause(60_000).then(() => (ended = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(ended, false);
    idle.wake();
    await paused;
    assert.equal(ended, true);
  });

  it('ends by itself when its time is up, and a wake with no pause under way changes nothing', async () => {
    const idle = createWakeablePause();
    idle.wake();
    let ended = false;
    await idle.pause(5).then(() => (ended = true));
    assert.equal(ended, true);
  });
});
