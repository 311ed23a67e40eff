/**
 * Two pseudo-terminals joined back to back by socat: whatever is written to one end is read at
 * the other. The simulator's virtual devices sit on the device end; the station opens the
 * station end exactly as it would open a USB-serial adapter, so the whole serial path (termios,
 * the serialport binding, partial reads) is exercised without hardware.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';

export interface PtyPair {
  /** Where the virtual device opens its end (a symlink to /dev/pts/N). */
  devicePath: string;
  /** Where the station opens its end. */
  stationPath: string;
  /** Stops socat and waits for it to exit; both links disappear with it. */
  close(): Promise<void>;
}

/** socat normally has both links up within a few milliseconds; this is the give-up point. */
const LINK_TIMEOUT_MS = 5_000;
const POLL_MS = 10;

export async function createPtyPair(dir: string, name: string): Promise<PtyPair> {
  const devicePath = path.join(dir, `${name}-device`);
  const stationPath = path.join(dir, `${name}-station`);
  // Links left by a socat that was killed hard may point at /dev/pts numbers now reused by other
  // terminals; they would look "ready" before our socat made its own, so remove them first.
  rmSync(devicePath, { force: true });
  rmSync(stationPath, { force: true });
  const child = spawn(
    'socat',
    ['-d', '-d', `pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${stationPath}`],
    // socat logs to stderr at -d -d; keep the tail for error messages but never block on it.
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    log = (log + text).slice(-2_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });

  const deadline = Date.now() + LINK_TIMEOUT_MS;
  while (!(existsSync(devicePath) && existsSync(stationPath))) {
    if (spawnError) {
      const missing = (spawnError as NodeJS.ErrnoException).code === 'ENOENT';
      throw new Error(
        missing
          ? 'cannot create a PTY pair: socat is not installed (apt-get install socat)'
          : `cannot start socat: ${spawnError.message}`,
        { cause: spawnError },
      );
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`socat exited (${child.exitCode ?? child.signalCode}) before creating ${name}: ${log.trim()}`);
    }
    if (Date.now() > deadline) {
      await stop(child, exited);
      throw new Error(`socat did not create ${devicePath} and ${stationPath} within ${LINK_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }

  return { devicePath, stationPath, close: () => stop(child, exited) };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
}
