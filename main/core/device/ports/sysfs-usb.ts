/**
 * USB identity of a tty from sysfs: `/sys/class/tty/<name>/device` is the USB interface (ttyACM)
 * or the usb-serial port below it (ttyUSB); the USB device with idVendor/idProduct/serial is one
 * or two levels up. Anything missing (no sysfs, not USB, a PTY) gives undefined, never an error.
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';

export interface UsbInfo {
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
}

/** How far above the tty's device folder the USB device may sit (ttyUSB: port, interface, device). */
const MAX_LEVELS = 4;

async function readAttribute(dir: string, name: string): Promise<string | undefined> {
  try {
    const text = (await readFile(path.join(dir, name), 'utf8')).trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

/** `ttyName` is a device name like "ttyUSB0"; `sysfsRoot` is "/sys" except in tests. */
export async function readUsbInfo(ttyName: string, sysfsRoot = '/sys'): Promise<UsbInfo | undefined> {
  if (ttyName === '' || ttyName.includes('/') || ttyName.startsWith('.')) return undefined;
  let dir: string;
  let root: string;
  try {
    root = await realpath(sysfsRoot);
    dir = await realpath(path.join(sysfsRoot, 'class', 'tty', ttyName, 'device'));
  } catch {
    return undefined;
  }
  for (let level = 0; level <= MAX_LEVELS; level++) {
    const vendorId = await readAttribute(dir, 'idVendor');
    if (vendorId !== undefined) {
      const productId = await readAttribute(dir, 'idProduct');
      const serialNumber = await readAttribute(dir, 'serial');
      return {
        vendorId,
        ...(productId === undefined ? {} : { productId }),
        ...(serialNumber === undefined ? {} : { serialNumber }),
      };
    }
    const parent = path.dirname(dir);
    // Never wander above the sysfs tree (or loop at "/").
    if (parent === dir || !parent.startsWith(root + path.sep)) return undefined;
    dir = parent;
  }
  return undefined;
}

/** Whether sysfs says a ttyS port has a UART behind it (`type` 0 is PORT_UNKNOWN: no chip). */
export async function serialUartPresent(ttyName: string, sysfsRoot = '/sys'): Promise<boolean> {
  const type = await readAttribute(path.join(sysfsRoot, 'class', 'tty', ttyName), 'type');
  return type !== undefined && type !== '0';
}
