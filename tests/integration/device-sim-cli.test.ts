// `trustline sim` as a process: prints one line per port, serves devices on them, and shuts down
// cleanly (socat gone, links removed) on SIGINT.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { findDriver } from '../../main/core/device/drivers';
import { createDeviceSession, identifyAndNegotiate } from '../../main/core/device/link/device-session';
import { openSerialPort } from '../../main/core/device/transports/serial-port';

const root = path.resolve(import.meta.dirname, '../..');

describe('trustline sim', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'trustline-sim-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lists its ports, answers on them and stops on SIGINT', async () => {
    const script = `const m = await import(${JSON.stringify(path.join(root, 'main/cli/sim-command.ts'))});
      await m.simCommand(['--ports', '2', '--baud', '230400', '--state', ${JSON.stringify(dir)}]);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    try {
      for (let waited = 0; !stdout.includes('Ctrl-C stops'); waited += 50) {
        assert.ok(waited < 20_000 && child.exitCode === null, `sim did not start: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const lines = stdout.trim().split('\n');
      const ports = lines.slice(0, 2).map((line) => line.split(/\s+/));
      assert.deepEqual(
        ports.map((p) => [p[0], p[1], p[3]]),
        [
          ['port', '1', 'SIM000001'],
          ['port', '2', 'SIM000002'],
        ],
      );
      const stationPath = ports[1]![2]!;
      const link = await openSerialPort(stationPath, { baudRate: 230400 });
      const session = createDeviceSession(link);
      const { identity } = await identifyAndNegotiate(session);
      assert.equal(identity.serialNumber, 'SIM000002');
      session.dispose();
      await link.close();

      child.kill('SIGINT');
      assert.equal(await exited, 0, stderr);
      assert.ok(!existsSync(stationPath), 'socat removes its links when it stops');
    } finally {
      // On a failure above: the same clean shutdown, so no socat is left running.
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    }
  });

  it('plays nRF91-style modems with --kind nrf91-at, for the nrf91-at driver', async () => {
    const modemDir = path.join(dir, 'modems');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'main/cli/trustline.ts', 'sim', '--kind', 'nrf91-at', '--ports', '1', '--state', modemDir],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    try {
      for (let waited = 0; !stdout.includes('Ctrl-C stops'); waited += 50) {
        assert.ok(waited < 20_000 && child.exitCode === null, `sim did not start: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const [word, index, stationPath, imeiWord, imei] = stdout.trim().split('\n')[0]!.split(/\s+/);
      assert.deepEqual([word, index, imeiWord, imei], ['port', '1', 'IMEI', '350000000000001']);
      const link = await openSerialPort(stationPath!, { baudRate: 115200 });
      const modem = await findDriver('nrf91-at').connect(link);
      assert.equal((await modem.identify()).serialNumber, '350000000000001');
      modem.release();
      await link.close();
      child.kill('SIGINT');
      assert.equal(await exited, 0, stderr);
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    }
  });
});
