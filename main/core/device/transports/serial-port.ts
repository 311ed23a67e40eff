/**
 * A ByteLink over the `serialport` package: UART adapters, USB CDC-ACM and PTYs alike. 8 data
 * bits, 1 stop bit always (the protocol's recommendation); baud, parity and flow control are the
 * caller's.
 */
import { SerialPort } from 'serialport';
import { StationError } from '../../errors/station-error';
import type { ByteLink } from './byte-link';

export interface SerialPortOptions {
  baudRate: number;
  parity?: 'none' | 'even' | 'odd';
  flowControl?: 'none' | 'rtscts';
}

export async function openSerialPort(path: string, options: SerialPortOptions): Promise<ByteLink> {
  const port = new SerialPort({
    path,
    baudRate: options.baudRate,
    dataBits: 8,
    stopBits: 1,
    parity: options.parity ?? 'none',
    rtscts: options.flowControl === 'rtscts',
    autoOpen: false,
  });
  try {
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  } catch (error) {
    throw transportError(path, 'cannot open', error);
  }
  // Many CDC-ACM firmwares only send while DTR is asserted ("terminal present"), so assert it.
  // A PTY has no modem lines and answers ENOTTY ("Inappropriate ioctl for device"): that is not
  // a reason to refuse a port that otherwise works, so a failure here is ignored.
  await new Promise<void>((resolve) => port.set({ dtr: true, rts: true }, () => resolve()));
  return wrap(port, path, options);
}

function transportError(path: string, what: string, error: unknown): StationError {
  // The binding says e.g. "Error: No such file or directory, cannot open /dev/ttyUSB0": keep the
  // reason, drop the prefix and the repeated path (the message names the path once).
  const raw = error instanceof Error ? error.message : String(error);
  const reason = raw.replace(/^Error: /, '').replace(/, cannot \w+ .*$/, '');
  return new StationError('TRANSPORT_FAILED', `${what} serial port ${path}: ${reason}`, {
    params: { path },
    cause: error,
  });
}

/** Slack on top of a write's wire time: OS and USB latencies, a device briefly holding CTS. */
const WRITE_MARGIN_MS = 500;

/**
 * How long a write may take to drain before the device counts as not reading (hung firmware,
 * CTS held low, a full PTY): twice the bytes' wire time (8 data bits, start, stop and a parity
 * bit) plus a margin. Without a bound a drain that never finishes would hang the caller forever.
 */
export function writeTimeoutMs(bytes: number, baudRate: number): number {
  return Math.ceil((2 * bytes * 11 * 1000) / baudRate) + WRITE_MARGIN_MS;
}

function wrap(port: SerialPort, path: string, options: SerialPortOptions): ByteLink {
  const dataListeners = new Set<(chunk: Buffer) => void>();
  const closeListeners = new Set<(error?: Error) => void>();
  let closed = false;
  port.on('data', (chunk: Buffer) => {
    for (const listener of [...dataListeners]) listener(chunk);
  });
  // 'close' carries a DisconnectedError when the device went away rather than being closed by us.
  port.on('close', (error?: Error | null) => {
    closed = true;
    for (const listener of [...closeListeners]) listener(error ?? undefined);
    closeListeners.clear();
  });
  // Without an 'error' listener a late write failure would crash the process; 'close' follows it.
  port.on('error', () => undefined);

  return {
    path,
    write(data) {
      return new Promise((resolve, reject) => {
        if (closed) {
          reject(transportError(path, 'cannot write to', new Error('the port is closed')));
          return;
        }
        const limitMs = writeTimeoutMs(data.length, options.baudRate);
        let settled = false;
        const settle = (error?: StationError) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        };
        // The bytes stay queued in the port: if the device starts reading again they go out, and
        // the 0x00 the station sends before every frame ends whatever part of them was cut off.
        const timer = setTimeout(
          () =>
            settle(
              transportError(
                path,
                'cannot write to',
                new Error(`the device is not reading (${data.length} bytes not sent within ${limitMs} ms)`),
              ),
            ),
          limitMs,
        );
        port.write(data, (error) => {
          if (error) settle(transportError(path, 'cannot write to', error));
        });
        // drain: resolve when the OS has the bytes, which is when the station's timers may start.
        port.drain((error) => settle(error ? transportError(path, 'cannot write to', error) : undefined));
      });
    },
    onData(listener) {
      dataListeners.add(listener);
      return () => dataListeners.delete(listener);
    },
    onClose(listener) {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    close() {
      if (closed || !port.isOpen) return Promise.resolve();
      return new Promise((resolve) => port.close(() => resolve()));
    },
  };
}
