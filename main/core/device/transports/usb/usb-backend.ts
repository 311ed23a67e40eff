/**
 * The small slice of USB the bulk transport needs, as an interface: the real implementation
 * adapts the `usb` package (v3, WebUSB-shaped, native binding shipped as per-platform optional
 * packages), the unit tests provide a fake. Nothing here knows about ByteLinks or the protocol.
 *
 * CDC-ACM devices (USB serial) are not opened through here: the OS's CDC-ACM driver turns them
 * into serial ports (/dev/ttyACM*, COMx), and they go through the serial transport.
 */
import { createRequire } from 'node:module';
import { StationError } from '../../../errors/station-error';

export type UsbDirection = 'in' | 'out';
export type UsbTransferType = 'bulk' | 'interrupt' | 'isochronous' | 'control';

export interface UsbEndpointInfo {
  /** The endpoint number, 1–15 (without the direction bit). */
  readonly endpointNumber: number;
  readonly direction: UsbDirection;
  readonly transferType: UsbTransferType;
  readonly maxPacketSize: number;
}

export interface UsbInterfaceInfo {
  readonly interfaceNumber: number;
  readonly interfaceClass: number;
  readonly interfaceSubclass: number;
  readonly interfaceProtocol: number;
  /** The endpoints of the interface's current alternate setting. */
  readonly endpoints: readonly UsbEndpointInfo[];
}

/** A device seen on the bus, not yet opened. */
export interface UsbDeviceCandidate {
  readonly vendorId: number;
  readonly productId: number;
  /** Undefined when the device has no serial-number string (or it cannot be read unopened). */
  readonly serialNumber: string | undefined;
  open(): Promise<UsbDeviceHandle>;
}

/** A running IN poll: call `stop()` to end it; it resolves once no transfer is pending. */
export interface UsbPoll {
  stop(): Promise<void>;
}

export interface UsbPollListeners {
  onData(chunk: Buffer): void;
  /** A transfer failed (e.g. the device was unplugged). Polling has stopped when this is called. */
  onError(error: Error): void;
}

/** An opened device. */
export interface UsbDeviceHandle {
  /** The interfaces of the active configuration. */
  interfaces(): readonly UsbInterfaceInfo[];
  /**
   * Detaches the kernel driver bound to the interface, where the platform allows (Linux).
   * Resolves `true` when a driver was detached, `false` when none was bound or the platform has no
   * such notion.
   */
  detachKernelDriver(interfaceNumber: number): Promise<boolean>;
  attachKernelDriver(interfaceNumber: number): Promise<void>;
  claimInterface(interfaceNumber: number): Promise<void>;
  releaseInterface(interfaceNumber: number): Promise<void>;
  /** One bulk OUT transfer; an empty buffer sends a zero-length packet. */
  bulkOut(endpoint: UsbEndpointInfo, data: Buffer): Promise<void>;
  /** Keeps one IN transfer of `transferSize` bytes pending at a time, delivering what arrives. */
  startPoll(endpoint: UsbEndpointInfo, transferSize: number, listeners: UsbPollListeners): UsbPoll;
  close(): Promise<void>;
}

export interface UsbBackend {
  /** Every device on the bus (callers filter by VID/PID). */
  listDevices(): Promise<UsbDeviceCandidate[]>;
}

// --- the real backend: the `usb` package ------------------------------------------------------

/** The parts of the `usb` package's device (a WebUSB USBDevice plus native extras) used here. */
interface NativeEndpoint {
  endpointNumber: number;
  direction: 'in' | 'out';
  type: 'bulk' | 'interrupt' | 'isochronous';
  packetSize: number;
}
interface NativeDevice {
  vendorId: number;
  productId: number;
  readonly serialNumber: string | null | undefined;
  readonly opened: boolean;
  readonly configuration: {
    configurationValue: number;
    interfaces: {
      interfaceNumber: number;
      alternate: {
        interfaceClass: number;
        interfaceSubclass: number;
        interfaceProtocol: number;
        endpoints: NativeEndpoint[];
      };
    }[];
  } | null;
  readonly configurations: { configurationValue: number }[];
  open(): Promise<void>;
  close(): Promise<void>;
  selectConfiguration(configurationValue: number): Promise<void>;
  claimInterface(interfaceNumber: number): Promise<void>;
  releaseInterface(interfaceNumber: number): Promise<void>;
  detachKernelDriver(interfaceNumber: number): Promise<void>;
  attachKernelDriver(interfaceNumber: number): Promise<void>;
  nativeTransferIn(endpointNumber: number, timeout: number, length: number): Promise<Uint8Array | null>;
  nativeTransferOut(endpointNumber: number, timeout: number, data: Uint8Array): Promise<number>;
}
interface NativeUsbModule {
  usb: { getDevices(): Promise<NativeDevice[]> };
}

/** How long one pending IN transfer waits before it is re-submitted (so `stop()` is prompt). */
const POLL_TIMEOUT_MS = 250;
/** A bulk OUT transfer that takes longer than this has failed (the device stopped reading). */
const OUT_TIMEOUT_MS = 5000;

let loaded: NativeUsbModule | undefined;

/** Loads the `usb` package on first use, so the station runs (without USB) when it is missing. */
function loadUsb(): NativeUsbModule {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('usb') as NativeUsbModule;
    return loaded;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new StationError(
      'TRANSPORT_FAILED',
      `USB is not available: the 'usb' package or its native binding for ${process.platform}-${process.arch} cannot be loaded (${reason})`,
      { cause: error },
    );
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && /cancel|timed? ?out/i.test(error.message);
}

function adaptHandle(device: NativeDevice): UsbDeviceHandle {
  const byAddress = (endpoint: UsbEndpointInfo): number => endpoint.endpointNumber;
  return {
    interfaces() {
      return (device.configuration?.interfaces ?? []).map((iface) => ({
        interfaceNumber: iface.interfaceNumber,
        interfaceClass: iface.alternate.interfaceClass,
        interfaceSubclass: iface.alternate.interfaceSubclass,
        interfaceProtocol: iface.alternate.interfaceProtocol,
        endpoints: iface.alternate.endpoints.map((endpoint) => ({
          endpointNumber: endpoint.endpointNumber,
          direction: endpoint.direction,
          transferType: endpoint.type,
          maxPacketSize: endpoint.packetSize,
        })),
      }));
    },
    async detachKernelDriver(interfaceNumber) {
      if (process.platform !== 'linux') return false;
      try {
        await device.detachKernelDriver(interfaceNumber);
        return true;
      } catch {
        return false; // "no kernel driver attached" (or not permitted: claiming will then say busy)
      }
    },
    attachKernelDriver: (interfaceNumber) => device.attachKernelDriver(interfaceNumber),
    claimInterface: (interfaceNumber) => device.claimInterface(interfaceNumber),
    releaseInterface: (interfaceNumber) => device.releaseInterface(interfaceNumber),
    async bulkOut(endpoint, data) {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      const written = await device.nativeTransferOut(byAddress(endpoint), OUT_TIMEOUT_MS, bytes);
      if (written < 0) throw new Error('endpoint stalled');
    },
    startPoll(endpoint, transferSize, listeners) {
      let stopped = false;
      const loop = (async () => {
        while (!stopped) {
          let data: Uint8Array | null;
          try {
            data = await device.nativeTransferIn(byAddress(endpoint), POLL_TIMEOUT_MS, transferSize);
          } catch (error) {
            if (stopped) return;
            if (isTimeout(error)) continue;
            stopped = true;
            listeners.onError(error instanceof Error ? error : new Error(String(error)));
            return;
          }
          if (stopped) return;
          if (data === null) {
            stopped = true;
            listeners.onError(new Error('endpoint stalled'));
            return;
          }
          if (data.byteLength > 0) listeners.onData(Buffer.from(data));
        }
      })();
      return {
        async stop() {
          stopped = true;
          await loop;
        },
      };
    },
    close: () => device.close(),
  };
}

/** The `usb` package as a UsbBackend. Throws TRANSPORT_FAILED when it cannot be loaded. */
export function nativeUsbBackend(): UsbBackend {
  return {
    async listDevices() {
      const usb = loadUsb().usb;
      let devices: NativeDevice[];
      try {
        devices = await usb.getDevices();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new StationError('TRANSPORT_FAILED', `cannot list USB devices: ${reason}`, { cause: error });
      }
      return devices.map((device) => ({
        vendorId: device.vendorId,
        productId: device.productId,
        serialNumber: device.serialNumber ?? undefined,
        async open() {
          await device.open();
          const first = device.configurations[0];
          if (device.configuration === null && first) await device.selectConfiguration(first.configurationValue);
          return adaptHandle(device);
        },
      }));
    },
  };
}
