/**
 * A ByteLink over a vendor-specific USB interface with a bulk IN and a bulk OUT endpoint.
 *
 * CDC-ACM devices (USB serial, class 02/02 with a CDC Data interface) are NOT opened here: the
 * operating system's CDC-ACM driver already makes them serial ports (/dev/ttyACM*, COMx), and they
 * go through the serial transport (`openSerialPort`), which also handles DTR and line settings.
 * `openUsbBulk` refuses such a device and says so.
 */
import { StationError } from '../../../errors/station-error';
import type { ByteLink } from '../byte-link';
import {
  nativeUsbBackend,
  type UsbBackend,
  type UsbDeviceCandidate,
  type UsbDeviceHandle,
  type UsbEndpointInfo,
  type UsbInterfaceInfo,
  type UsbPoll,
} from './usb-backend';

export interface UsbBulkOptions {
  vendorId: number;
  productId: number;
  /** Required when several devices share the VID:PID. */
  serialNumber?: string;
  /** The interface to claim; by default the first with a bulk IN and a bulk OUT endpoint. */
  interfaceNumber?: number;
}

/** The largest single bulk OUT transfer; always cut down to a multiple of the max packet size. */
export const MAX_OUT_TRANSFER_BYTES = 16384;
/** The size of each pending IN transfer, in max-size packets (a multiple, so no overflow). */
export const IN_TRANSFER_PACKETS = 64;

const CLASS_CDC = 0x02;
const SUBCLASS_ACM = 0x02;
const CLASS_CDC_DATA = 0x0a;

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** `usb:VVVV:PPPP[:serial]`, lower-case hex. */
export function usbPath(vendorId: number, productId: number, serialNumber?: string): string {
  return `usb:${hex4(vendorId)}:${hex4(productId)}${serialNumber === undefined ? '' : `:${serialNumber}`}`;
}

function failure(path: string, message: string, cause?: unknown): StationError {
  return new StationError('TRANSPORT_FAILED', message, {
    params: { path },
    ...(cause === undefined ? {} : { cause }),
  });
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function openUsbBulk(
  options: UsbBulkOptions,
  backend: UsbBackend = nativeUsbBackend(),
): Promise<ByteLink> {
  const wanted = usbPath(options.vendorId, options.productId, options.serialNumber);
  const candidate = await pickDevice(options, backend, wanted);
  const path = usbPath(options.vendorId, options.productId, options.serialNumber ?? candidate.serialNumber);

  let handle: UsbDeviceHandle;
  try {
    handle = await candidate.open();
  } catch (error) {
    throw failure(path, `cannot open USB device ${path}: ${reasonOf(error)}`, error);
  }
  try {
    const { iface, inEndpoint, outEndpoint } = pickInterface(handle.interfaces(), options.interfaceNumber, path);
    const detached = await handle.detachKernelDriver(iface.interfaceNumber).catch(() => false);
    try {
      await handle.claimInterface(iface.interfaceNumber);
    } catch (error) {
      if (detached) await handle.attachKernelDriver(iface.interfaceNumber).catch(() => undefined);
      throw failure(
        path,
        `USB interface ${iface.interfaceNumber} of ${path} is busy (claimed by another program or a kernel driver): ${reasonOf(error)}`,
        error,
      );
    }
    return wrap(handle, path, iface.interfaceNumber, detached, inEndpoint, outEndpoint);
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

async function pickDevice(options: UsbBulkOptions, backend: UsbBackend, wanted: string): Promise<UsbDeviceCandidate> {
  const all = await backend.listDevices();
  const matching = all.filter((d) => d.vendorId === options.vendorId && d.productId === options.productId);
  if (matching.length === 0) {
    const seen = [...new Set(all.map((d) => `${hex4(d.vendorId)}:${hex4(d.productId)}`))];
    throw failure(
      wanted,
      `no USB device ${hex4(options.vendorId)}:${hex4(options.productId)} is connected` +
        ` (seen: ${seen.length === 0 ? 'no USB devices' : seen.join(', ')})`,
    );
  }
  if (options.serialNumber !== undefined) {
    const bySerial = matching.find((d) => d.serialNumber === options.serialNumber);
    if (!bySerial) {
      const serials = matching.map((d) => d.serialNumber ?? '(none)').join(', ');
      throw failure(
        wanted,
        `no USB device ${hex4(options.vendorId)}:${hex4(options.productId)} has serial number ${options.serialNumber} (seen: ${serials})`,
      );
    }
    return bySerial;
  }
  if (matching.length > 1) {
    const serials = matching.map((d) => d.serialNumber ?? '(none)').join(', ');
    throw failure(
      wanted,
      `${matching.length} USB devices ${hex4(options.vendorId)}:${hex4(options.productId)} are connected; ` +
        `give a serial number to choose one (serial numbers: ${serials})`,
    );
  }
  const [only] = matching as [UsbDeviceCandidate];
  return only;
}

function bulkPair(iface: UsbInterfaceInfo): { inEndpoint: UsbEndpointInfo; outEndpoint: UsbEndpointInfo } | undefined {
  const inEndpoint = iface.endpoints.find((e) => e.transferType === 'bulk' && e.direction === 'in');
  const outEndpoint = iface.endpoints.find((e) => e.transferType === 'bulk' && e.direction === 'out');
  return inEndpoint && outEndpoint ? { inEndpoint, outEndpoint } : undefined;
}

function pickInterface(
  interfaces: readonly UsbInterfaceInfo[],
  interfaceNumber: number | undefined,
  path: string,
): { iface: UsbInterfaceInfo; inEndpoint: UsbEndpointInfo; outEndpoint: UsbEndpointInfo } {
  const isAcm = interfaces.some((i) => i.interfaceClass === CLASS_CDC && i.interfaceSubclass === SUBCLASS_ACM);
  const cdcRefusal = (): StationError =>
    failure(
      path,
      `USB device ${path} is a CDC-ACM (USB serial) device: the operating system makes it a serial port ` +
        `(/dev/ttyACM* on Linux, a COM port on Windows); open that port with the serial transport instead`,
    );
  // On an ACM device the CDC Data interface's bulk pair belongs to the serial driver.
  const usable = (i: UsbInterfaceInfo): boolean => !(isAcm && i.interfaceClass === CLASS_CDC_DATA);

  if (interfaceNumber !== undefined) {
    const iface = interfaces.find((i) => i.interfaceNumber === interfaceNumber);
    if (!iface) {
      const numbers = interfaces.map((i) => i.interfaceNumber).join(', ');
      throw failure(path, `USB device ${path} has no interface ${interfaceNumber} (interfaces: ${numbers || 'none'})`);
    }
    if (!usable(iface) || (iface.interfaceClass === CLASS_CDC && iface.interfaceSubclass === SUBCLASS_ACM)) {
      throw cdcRefusal();
    }
    const pair = bulkPair(iface);
    if (!pair) {
      throw failure(path, `USB interface ${interfaceNumber} of ${path} has no bulk IN and bulk OUT endpoint pair`);
    }
    return { iface, ...pair };
  }
  for (const iface of interfaces) {
    const pair = usable(iface) ? bulkPair(iface) : undefined;
    if (pair) return { iface, ...pair };
  }
  if (isAcm) throw cdcRefusal();
  throw failure(path, `USB device ${path} has no interface with a bulk IN and a bulk OUT endpoint`);
}

function wrap(
  handle: UsbDeviceHandle,
  path: string,
  interfaceNumber: number,
  reattachKernelDriver: boolean,
  inEndpoint: UsbEndpointInfo,
  outEndpoint: UsbEndpointInfo,
): ByteLink {
  const dataListeners = new Set<(chunk: Buffer) => void>();
  const closeListeners = new Set<(error?: Error) => void>();
  let closed = false;
  let closing: Promise<void> | undefined;
  let lostError: Error | undefined;
  /** Writes run one after another so their transfers never interleave. */
  let writeQueue: Promise<void> = Promise.resolve();

  const packet = outEndpoint.maxPacketSize > 0 ? outEndpoint.maxPacketSize : 64;
  const chunkSize = Math.max(packet, Math.floor(MAX_OUT_TRANSFER_BYTES / packet) * packet);
  const inPacket = inEndpoint.maxPacketSize > 0 ? inEndpoint.maxPacketSize : 64;

  const emitClose = (error?: Error): void => {
    for (const listener of [...closeListeners]) listener(error);
    closeListeners.clear();
  };

  /** Releases everything; errors are ignored (the device may already be gone). */
  const teardown = async (): Promise<void> => {
    await poll.stop().catch(() => undefined);
    await handle.releaseInterface(interfaceNumber).catch(() => undefined);
    if (reattachKernelDriver) await handle.attachKernelDriver(interfaceNumber).catch(() => undefined);
    await handle.close().catch(() => undefined);
  };

  const lost = (error: Error): void => {
    if (closed) return;
    closed = true;
    lostError = failure(path, `USB device ${path} was lost: ${error.message}`, error);
    closing = teardown();
    emitClose(lostError);
  };

  const poll: UsbPoll = handle.startPoll(inEndpoint, inPacket * IN_TRANSFER_PACKETS, {
    onData(chunk) {
      if (closed) return;
      for (const listener of [...dataListeners]) listener(chunk);
    },
    onError: lost,
  });

  const writeAll = async (data: Buffer): Promise<void> => {
    for (let offset = 0; offset < data.length; offset += chunkSize) {
      if (closed) throw writeClosedError();
      await handle.bulkOut(outEndpoint, data.subarray(offset, offset + chunkSize));
    }
    // A transfer ending on a packet boundary is not finished for the device until a short packet:
    // send a zero-length one so it sees the end.
    if (data.length % packet === 0) {
      if (closed) throw writeClosedError();
      await handle.bulkOut(outEndpoint, Buffer.alloc(0));
    }
  };

  const writeClosedError = (): StationError =>
    lostError
      ? failure(path, `cannot write to USB device ${path}: ${lostError.message}`, lostError)
      : failure(path, `cannot write to USB device ${path}: the link is closed`);

  return {
    path,
    write(data) {
      if (closed) return Promise.reject(writeClosedError());
      if (data.length === 0) return Promise.resolve();
      const run = writeQueue.then(async () => {
        try {
          await writeAll(data);
        } catch (error) {
          if (error instanceof StationError) throw error;
          const cause = error instanceof Error ? error : new Error(String(error));
          if (/disconnect|no.?device/i.test(cause.message)) lost(cause);
          throw failure(path, `cannot write to USB device ${path}: ${cause.message}`, cause);
        }
      });
      writeQueue = run.catch(() => undefined);
      return run;
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
      if (closed) return closing ?? Promise.resolve();
      closed = true;
      closing = teardown().then(() => emitClose());
      return closing;
    },
  };
}
