/**
 * An in-memory UsbBackend for tests (this machine's kernel has no USB at all): devices with
 * configurable interfaces that record every call, optionally echo bulk OUT back on bulk IN, and can
 * be unplugged mid-transfer.
 */
import type {
  UsbBackend,
  UsbDeviceCandidate,
  UsbDeviceHandle,
  UsbEndpointInfo,
  UsbInterfaceInfo,
  UsbPoll,
  UsbPollListeners,
} from '../../main/core/device/transports/usb/usb-backend';

export interface FakeUsbDeviceOptions {
  vendorId: number;
  productId: number;
  serialNumber?: string;
  interfaces?: UsbInterfaceInfo[];
  /** Bulk OUT data comes back on bulk IN. Default true. */
  echo?: boolean;
  /** A kernel driver is bound to these interfaces (detaching it succeeds). */
  kernelDriverOn?: number[];
  /** Claiming these interfaces fails as busy (another program holds them). */
  busyInterfaces?: number[];
}

/** A vendor interface with bulk IN 0x81 and bulk OUT 0x01. */
export function vendorBulkInterface(interfaceNumber = 0, maxPacketSize = 64): UsbInterfaceInfo {
  return {
    interfaceNumber,
    interfaceClass: 0xff,
    interfaceSubclass: 0,
    interfaceProtocol: 0,
    endpoints: [
      { endpointNumber: 1, direction: 'in', transferType: 'bulk', maxPacketSize },
      { endpointNumber: 1, direction: 'out', transferType: 'bulk', maxPacketSize },
    ],
  };
}

/** The two interfaces of a CDC-ACM device: communications (interrupt IN) and data (bulk pair). */
export function cdcAcmInterfaces(): UsbInterfaceInfo[] {
  return [
    {
      interfaceNumber: 0,
      interfaceClass: 0x02,
      interfaceSubclass: 0x02,
      interfaceProtocol: 0x01,
      endpoints: [{ endpointNumber: 2, direction: 'in', transferType: 'interrupt', maxPacketSize: 8 }],
    },
    {
      interfaceNumber: 1,
      interfaceClass: 0x0a,
      interfaceSubclass: 0,
      interfaceProtocol: 0,
      endpoints: [
        { endpointNumber: 1, direction: 'in', transferType: 'bulk', maxPacketSize: 64 },
        { endpointNumber: 1, direction: 'out', transferType: 'bulk', maxPacketSize: 64 },
      ],
    },
  ];
}

export class FakeUsbDevice implements UsbDeviceCandidate {
  readonly vendorId: number;
  readonly productId: number;
  readonly serialNumber: string | undefined;
  readonly interfaceList: UsbInterfaceInfo[];
  /** Every backend call, e.g. `open`, `claim 0`, `release 0`, `detach 0`, `poll start`, `close`. */
  readonly calls: string[] = [];
  /** The payload of each bulk OUT transfer, in order (a ZLP is an empty buffer). */
  readonly outTransfers: Buffer[] = [];
  /** The size of each IN transfer submitted. */
  readonly inTransferSizes: number[] = [];
  private readonly echo: boolean;
  private readonly kernelDriverOn: Set<number>;
  private readonly busy: Set<number>;
  private pendingIn: Buffer[] = [];
  private poll: { listeners: UsbPollListeners; size: number; stopped: boolean } | undefined;
  private unplugged = false;

  constructor(options: FakeUsbDeviceOptions) {
    this.vendorId = options.vendorId;
    this.productId = options.productId;
    this.serialNumber = options.serialNumber;
    this.interfaceList = options.interfaces ?? [vendorBulkInterface()];
    this.echo = options.echo ?? true;
    this.kernelDriverOn = new Set(options.kernelDriverOn ?? []);
    this.busy = new Set(options.busyInterfaces ?? []);
  }

  /** The device sends `data` on its bulk IN endpoint. */
  send(data: Buffer): void {
    this.pendingIn.push(Buffer.from(data));
    this.pump();
  }

  /** The cable is pulled: the pending IN transfer and every later transfer fail. */
  unplug(): void {
    this.unplugged = true;
    const poll = this.poll;
    if (poll && !poll.stopped) {
      poll.stopped = true;
      setImmediate(() => poll.listeners.onError(new Error('LIBUSB_ERROR_NO_DEVICE: device disconnected')));
    }
  }

  private pump(): void {
    setImmediate(() => {
      const poll = this.poll;
      if (!poll || poll.stopped) return;
      for (let head = this.pendingIn[0]; head !== undefined; head = this.pendingIn[0]) {
        const chunk = head.subarray(0, poll.size);
        if (chunk.length === head.length) this.pendingIn.shift();
        else this.pendingIn[0] = head.subarray(poll.size);
        this.inTransferSizes.push(poll.size);
        poll.listeners.onData(Buffer.from(chunk));
      }
    });
  }

  open(): Promise<UsbDeviceHandle> {
    this.calls.push('open');
    if (this.unplugged) return Promise.reject(new Error('LIBUSB_ERROR_NO_DEVICE'));
    const check = (): void => {
      if (this.unplugged) throw new Error('LIBUSB_ERROR_NO_DEVICE: device disconnected');
    };
    return Promise.resolve({
      interfaces: () => this.interfaceList,
      detachKernelDriver: (n: number) => {
        this.calls.push(`detach ${n}`);
        return Promise.resolve(this.kernelDriverOn.delete(n));
      },
      attachKernelDriver: (n: number) => {
        this.calls.push(`attach ${n}`);
        this.kernelDriverOn.add(n);
        return Promise.resolve();
      },
      claimInterface: async (n: number) => {
        this.calls.push(`claim ${n}`);
        check();
        if (this.busy.has(n) || this.kernelDriverOn.has(n)) throw new Error('LIBUSB_ERROR_BUSY: interface is busy');
      },
      releaseInterface: async (n: number) => {
        this.calls.push(`release ${n}`);
        check();
      },
      bulkOut: async (_endpoint: UsbEndpointInfo, data: Buffer) => {
        await new Promise((resolve) => setImmediate(resolve));
        check();
        this.outTransfers.push(Buffer.from(data));
        if (this.echo && data.length > 0) this.send(data);
      },
      startPoll: (_endpoint: UsbEndpointInfo, transferSize: number, listeners: UsbPollListeners): UsbPoll => {
        this.calls.push('poll start');
        const poll = { listeners, size: transferSize, stopped: false };
        this.poll = poll;
        this.pump();
        return {
          stop: () => {
            if (!poll.stopped) this.calls.push('poll stop');
            poll.stopped = true;
            return Promise.resolve();
          },
        };
      },
      close: async () => {
        this.calls.push('close');
      },
    });
  }
}

export class FakeUsbBackend implements UsbBackend {
  constructor(readonly devices: FakeUsbDevice[]) {}
  listDevices(): Promise<UsbDeviceCandidate[]> {
    return Promise.resolve([...this.devices]);
  }
}
