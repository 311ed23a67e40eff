// The device session when the device stops reading, over a real PTY pair (socat): the device end
// is never opened, so once the PTY buffers fill the station's writes never drain. Requests must
// still end (retries, then "not responding") instead of hanging the queue forever.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createDeviceSession } from '../../main/core/device/link/device-session';
import { createPtyPair } from '../../main/core/device/transports/pty-pairs';
import { openSerialPort } from '../../main/core/device/transports/serial-port';
import { isStationError } from '../../main/core/errors/station-error';

describe('device session robustness', () => {
  it(
    'rejects requests to a device that never reads instead of waiting for the write forever',
    { timeout: 120_000 },
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'session-robust-'));
      const pair = await createPtyPair(dir, 'stuck');
      const link = await openSerialPort(pair.stationPath, { baudRate: 115200 });
      const session = createDeviceSession(link, { timeouts: { writeChain: 50, writeChainCommit: 50 } });
      try {
        // Enough chunks to fill the PTY buffers: the early writes drain into them, the later ones
        // cannot. Every request must reject, the stuck ones included.
        const data = Buffer.alloc(1000, 0x41);
        const requests = Array.from({ length: 16 }, (_, i) =>
          session.request({ command: 'writeChain', slot: 1, offset: i * data.length, totalLength: 1 << 20, data }),
        );
        const results = await Promise.allSettled(requests);
        for (const [i, result] of results.entries()) {
          assert.equal(result.status, 'rejected', `request #${i + 1} rejects`);
          const error = (result as PromiseRejectedResult).reason as unknown;
          assert.ok(isStationError(error), `request #${i + 1}: ${String(error)}`);
          assert.equal(error.code, 'TRANSPORT_FAILED');
          assert.match(error.message, /not responding/);
        }
      } finally {
        session.dispose();
        await link.close();
        await pair.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
