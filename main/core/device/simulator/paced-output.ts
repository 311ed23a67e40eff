/**
 * Sends bytes no faster than a UART at `baudRate` would (8N1: 10 bit times per byte, so
 * baudRate / 10 bytes per second), so that timing through the simulator looks like a real line:
 * a 4 KiB READ_SLOT response takes its ~360 ms at 115200 baud, and station timeouts that forget
 * the transmission time show up in tests.
 *
 * A wire clock, not a per-chunk sleep: the clock starts when the line goes from idle to busy,
 * and byte k of that busy period may leave at start + (k + 1) / rate. Each timer tick sends every
 * byte that is due by now, so a timer that fires late is caught up at once instead of pushing
 * all later bytes back (no drift); the clock only restarts after the line has been idle.
 */
import type { ByteLink } from '../transports/byte-link';

/** About 2 ms of line time per write: small enough to look like a UART, large enough for timers. */
const TICK_MS = 2;

export interface PacedOutput {
  send(bytes: Buffer): void;
  /** Resolves once everything queued has been written. */
  flushed(): Promise<void>;
  stop(): void;
}

export function createPacedOutput(link: ByteLink, baudRate: number, options: { now?: () => number } = {}): PacedOutput {
  // The clock is injectable so a test can fire timers late on purpose and check the catch-up.
  const clock = options.now ?? (() => performance.now());
  const bytesPerMs = baudRate / 10 / 1000;
  const queue: Buffer[] = [];
  let queued = 0;
  /** When the current busy period started, and how many bytes of it have been sent. */
  let clockStart = 0;
  let sentInPeriod = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let waiters: Array<() => void> = [];

  const take = (count: number): Buffer => {
    const parts: Buffer[] = [];
    let need = count;
    while (need > 0) {
      const head = queue[0];
      if (!head) break;
      if (head.length <= need) {
        parts.push(head);
        queue.shift();
        need -= head.length;
      } else {
        parts.push(head.subarray(0, need));
        queue[0] = head.subarray(need);
        need = 0;
      }
    }
    queued -= count;
    return Buffer.concat(parts);
  };

  const pump = () => {
    timer = undefined;
    if (stopped) return;
    const now = clock();
    const due = Math.floor((now - clockStart) * bytesPerMs) - sentInPeriod;
    const count = Math.min(queued, Math.max(0, due));
    if (count > 0) {
      sentInPeriod += count;
      // A write error means the port closed; the device's close handling deals with that.
      link.write(take(count)).catch(() => undefined);
    }
    if (queued > 0) {
      const nextChunk = Math.min(queued, Math.max(1, Math.round(TICK_MS * bytesPerMs)));
      const at = clockStart + (sentInPeriod + nextChunk) / bytesPerMs;
      timer = setTimeout(pump, Math.max(0, at - now));
    } else {
      const done = waiters;
      waiters = [];
      for (const resolve of done) resolve();
    }
  };

  return {
    send(bytes) {
      if (stopped || bytes.length === 0) return;
      const now = clock();
      // Idle line (everything sent has finished leaving): a new busy period starts now.
      if (queued === 0 && clockStart + sentInPeriod / bytesPerMs <= now) {
        clockStart = now;
        sentInPeriod = 0;
      }
      queue.push(bytes);
      queued += bytes.length;
      timer ??= setTimeout(pump, 0);
    },
    flushed() {
      return queued === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      for (const resolve of waiters) resolve();
      waiters = [];
    },
  };
}
