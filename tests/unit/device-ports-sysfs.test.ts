// Port discovery against fake /dev and /sys trees built in a temp dir: USB identity read from
// sysfs (ttyACM and ttyUSB layouts), udev's by-path names preferred, phantom ttyS ports skipped,
// and missing folders giving fewer ports rather than errors. The fake device nodes are links to
// real character devices (/dev/null, /dev/zero, …), since making device nodes needs root.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scanPorts } from '../../main/core/device/ports/port-scan';
import { readUsbInfo, serialUartPresent } from '../../main/core/device/ports/sysfs-usb';

let base: string;
let sys: string;
let dev: string;

function write(file: string, text: string) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${text}\n`);
}

function link(target: string, file: string) {
  mkdirSync(path.dirname(file), { recursive: true });
  symlinkSync(target, file);
}

before(() => {
  base = mkdtempSync(path.join(tmpdir(), 'trustline-ports-'));
  sys = path.join(base, 'sys');
  dev = path.join(base, 'dev');
  // A CDC-ACM device: tty's device is the interface 1-2:1.0, the USB device 1-2 is its parent.
  const acmUsb = path.join(sys, 'devices/pci0000:00/0000:00:14.0/usb1/1-2');
  write(path.join(acmUsb, 'idVendor'), '2fe3');
  write(path.join(acmUsb, 'idProduct'), '0100');
  write(path.join(acmUsb, 'serial'), 'FIXTURE-3');
  mkdirSync(path.join(acmUsb, '1-2:1.0/tty/ttyACM0'), { recursive: true });
  link('../../../devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0', path.join(sys, 'class/tty/ttyACM0/device'));
  // A usb-serial adapter: tty's device is the port ttyUSB0 below the interface; no serial number.
  const ftdiUsb = path.join(sys, 'devices/pci0000:00/0000:00:14.0/usb1/1-3');
  write(path.join(ftdiUsb, 'idVendor'), '0403');
  write(path.join(ftdiUsb, 'idProduct'), '6001');
  mkdirSync(path.join(ftdiUsb, '1-3:1.0/ttyUSB0'), { recursive: true });
  link('../../../devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0/ttyUSB0', path.join(sys, 'class/tty/ttyUSB0/device'));
  // A platform UART (not USB) and a phantom one.
  mkdirSync(path.join(sys, 'devices/platform/serial8250/tty/ttyS0'), { recursive: true });
  link('../../../devices/platform/serial8250', path.join(sys, 'class/tty/ttyS0/device'));
  write(path.join(sys, 'class/tty/ttyS0/type'), '4');
  write(path.join(sys, 'class/tty/ttyS1/type'), '0');
});

after(() => rmSync(base, { recursive: true, force: true }));

describe('readUsbInfo', () => {
  it('finds the USB device above a CDC-ACM interface', async () => {
    assert.deepEqual(await readUsbInfo('ttyACM0', sys), {
      vendorId: '2fe3',
      productId: '0100',
      serialNumber: 'FIXTURE-3',
    });
  });

  it('finds the USB device two levels above a usb-serial port, without a serial number', async () => {
    assert.deepEqual(await readUsbInfo('ttyUSB0', sys), { vendorId: '0403', productId: '6001' });
  });

  it('gives undefined for a non-USB tty, an unknown tty, a missing sysfs and odd names', async () => {
    assert.equal(await readUsbInfo('ttyS0', sys), undefined);
    assert.equal(await readUsbInfo('ttyUSB9', sys), undefined);
    assert.equal(await readUsbInfo('ttyACM0', path.join(base, 'no-sys')), undefined);
    assert.equal(await readUsbInfo('../ttyACM0', sys), undefined);
    assert.equal(await readUsbInfo('', sys), undefined);
  });

  it('tells a real ttyS UART from a phantom one', async () => {
    assert.equal(await serialUartPresent('ttyS0', sys), true);
    assert.equal(await serialUartPresent('ttyS1', sys), false);
    assert.equal(await serialUartPresent('ttyS2', sys), false);
  });
});

describe('scanPorts on a fake /dev', () => {
  before(() => {
    // Distinct real character devices stand in for the ttys (realpath names the sysfs entry).
    link('/dev/zero', path.join(dev, 'ttyACM0'));
    link('/dev/full', path.join(dev, 'ttyUSB0'));
    link('/dev/random', path.join(dev, 'ttyS0'));
    link('/dev/urandom', path.join(dev, 'ttyS1'));
    link('../../ttyACM0', path.join(dev, 'serial/by-path/pci-0000:00:14.0-usb-0:2:1.0'));
    link('../../ttyACM0', path.join(dev, 'serial/by-id/usb-Acme_Gateway_FIXTURE-3-if00'));
    link('../../ttyUSB0', path.join(dev, 'serial/by-id/usb-FTDI_FT232R-if00-port0'));
    link('../../gone', path.join(dev, 'serial/by-id/usb-dangling'));
    // sysfs is keyed by the target's name, so give the stand-ins the same USB identity.
    link('ttyACM0', path.join(sys, 'class/tty/zero'));
    link('ttyUSB0', path.join(sys, 'class/tty/full'));
  });

  it('lists each device once under its most stable name, with USB identity', async () => {
    const ports = await scanPorts([], { devRoot: dev, sysfsRoot: sys });
    assert.deepEqual(
      ports.map((port) => [port.id, port.source, port.target]),
      [
        ['pci-0000:00:14.0-usb-0:2:1.0', 'by-path', '/dev/zero'],
        ['usb-FTDI_FT232R-if00-port0', 'by-id', '/dev/full'],
        [path.join(dev, 'ttyS0'), 'tty', '/dev/random'],
      ],
    );
    assert.equal(ports[0]?.path, path.join(dev, 'serial/by-path/pci-0000:00:14.0-usb-0:2:1.0'));
    assert.deepEqual(ports[0]?.usb, { vendorId: '2fe3', productId: '0100', serialNumber: 'FIXTURE-3' });
    assert.deepEqual(ports[1]?.usb, { vendorId: '0403', productId: '6001' });
    assert.equal(ports[2]?.usb, undefined);
  });

  it('skips regular files in an extra root and returns nothing for missing folders', async () => {
    const extra = path.join(base, 'extra');
    write(path.join(extra, 'notes.txt'), 'not a port');
    link('/dev/null', path.join(extra, 'bench-1'));
    const ports = await scanPorts([extra, path.join(base, 'missing')], {
      devRoot: path.join(base, 'no-dev'),
      sysfsRoot: path.join(base, 'no-sys'),
    });
    assert.deepEqual(ports, [
      { id: path.join(extra, 'bench-1'), path: path.join(extra, 'bench-1'), target: '/dev/null', source: 'extra' },
    ]);
  });
});
