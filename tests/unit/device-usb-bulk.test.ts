import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StationError } from '../../main/core/errors/station-error';
import type { ByteLink } from '../../main/core/device/transports/byte-link';
import { FakeUsbBackend, FakeUsbDevice, cdcAcmInterfaces, vendorBulkInterface } from '../helpers/fake-usb-backend';
import { MAX_OUT_TRANSFER_BYTES, openUsbBulk, usbPath } from '../../main/core/device/transports/usb/usb-bulk';

const VID = 0x1d50;
const PID = 0x6018;

function collect(link: ByteLink): { bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  link.onData((chunk) => chunks.push(chunk));
  return { bytes: () => Buffer.concat(chunks) };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function refusal(promise: Promise<unknown>, pattern: RegExp): Promise<StationError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StationError, `expected a StationError, got ${String(error)}`);
    assert.equal(error.code, 'TRANSPORT_FAILED');
    assert.match(error.message, pattern);
    return error;
  }
  return assert.fail('expected a refusal');
}

describe('usb bulk transport', () => {
  it('round-trips bytes through a device that echoes bulk OUT to bulk IN', async () => {
    const device = new FakeUsbDevice({ vendorId: VID, productId: PID, serialNumber: 'A1' });
    const link = await openUsbBulk({ vendorId: VID, productId: PID }, new FakeUsbBackend([device]));
    assert.equal(link.path, 'usb:1d50:6018:A1');
    const received = collect(link);
    const payload = Buffer.from('hello, device \x00\x01\x02', 'latin1');
    await link.write(payload);
    await link.write(Buffer.from([0xff, 0xfe]));
    await until(() => received.bytes().length === payload.length + 2, 'the echo');
    assert.deepEqual(received.bytes(), Buffer.concat([payload, Buffer.from([0xff, 0xfe])]));
    // IN transfers are a multiple of the max packet size.
    assert.ok(device.inTransferSizes.every((size) => size % 64 === 0));
    await link.close();
  });

  it('splits large writes at a multiple of the max packet size, with a ZLP on an exact multiple', async () => {
    const device = new FakeUsbDevice({
      vendorId: VID,
      productId: PID,
      echo: false,
      interfaces: [vendorBulkInterface(0, 512)],
    });
    const link = await openUsbBulk({ vendorId: VID, productId: PID }, new FakeUsbBackend([device]));
    assert.equal(MAX_OUT_TRANSFER_BYTES % 512, 0);

    const big = Buffer.alloc(MAX_OUT_TRANSFER_BYTES * 2 + 100, 7);
    await link.write(big);
    assert.deepEqual(
      device.outTransfers.map((t) => t.length),
      [MAX_OUT_TRANSFER_BYTES, MAX_OUT_TRANSFER_BYTES, 100],
    );
    assert.deepEqual(Buffer.concat(device.outTransfers), big);

    device.outTransfers.length = 0;
    await link.write(Buffer.alloc(MAX_OUT_TRANSFER_BYTES + 1024, 1));
    assert.deepEqual(
      device.outTransfers.map((t) => t.length),
      [MAX_OUT_TRANSFER_BYTES, 1024, 0],
    );

    device.outTransfers.length = 0;
    await link.write(Buffer.alloc(512, 2));
    assert.deepEqual(
      device.outTransfers.map((t) => t.length),
      [512, 0],
    );

    device.outTransfers.length = 0;
    await link.write(Buffer.alloc(511, 3));
    assert.deepEqual(
      device.outTransfers.map((t) => t.length),
      [511],
    );
    await link.close();
  });

  it('keeps concurrent writes in order', async () => {
    const device = new FakeUsbDevice({ vendorId: VID, productId: PID });
    const link = await openUsbBulk({ vendorId: VID, productId: PID }, new FakeUsbBackend([device]));
    const received = collect(link);
    const parts = Array.from({ length: 10 }, (_, i) => Buffer.alloc(100 + i, i));
    await Promise.all(parts.map((part) => link.write(part)));
    await until(() => received.bytes().length === Buffer.concat(parts).length, 'the echo');
    assert.deepEqual(received.bytes(), Buffer.concat(parts));
    await link.close();
  });

  it('matches by VID:PID, and by serial number among several', async () => {
    const other = new FakeUsbDevice({ vendorId: 0x046d, productId: 0xc52b });
    const a = new FakeUsbDevice({ vendorId: VID, productId: PID, serialNumber: 'A1' });
    const b = new FakeUsbDevice({ vendorId: VID, productId: PID, serialNumber: 'B2' });
    const link = await openUsbBulk({ vendorId: VID, productId: PID }, new FakeUsbBackend([other, a]));
    assert.deepEqual(other.calls, []);
    assert.ok(a.calls.includes('claim 0'));
    await link.close();

    const linkB = await openUsbBulk(
      { vendorId: VID, productId: PID, serialNumber: 'B2' },
      new FakeUsbBackend([other, a, b]),
    );
    assert.equal(linkB.path, 'usb:1d50:6018:B2');
    assert.ok(b.calls.includes('claim 0'));
    assert.ok(!a.calls.slice(a.calls.lastIndexOf('close') + 1).includes('open'));
    await linkB.close();
  });

  it('picks the first interface with a bulk pair, or the given one', async () => {
    const noBulk = {
      interfaceNumber: 0,
      interfaceClass: 0x03,
      interfaceSubclass: 0,
      interfaceProtocol: 0,
      endpoints: [
        { endpointNumber: 1, direction: 'in' as const, transferType: 'interrupt' as const, maxPacketSize: 8 },
      ],
    };
    const device = new FakeUsbDevice({
      vendorId: VID,
      productId: PID,
      interfaces: [noBulk, vendorBulkInterface(2), vendorBulkInterface(3)],
    });
    const first = await openUsbBulk({ vendorId: VID, productId: PID }, new FakeUsbBackend([device]));
    assert.ok(device.calls.includes('claim 2'));
    await first.close();
    const given = await openUsbBulk(
      { vendorId: VID, productId: PID, interfaceNumber: 3 },
      new FakeUsbBackend([device]),
    );
    assert.ok(device.calls.includes('claim 3'));
    await given.close();
  });

  it('detaches an active kernel driver before claiming and re-attaches it on close', async () => {
    const device = new FakeUsbDevice({ vendorId: VID, productId: PID, kernelDriverOn: [0] });
    const link = await openUsbBulk({ vendorId: VID, productId: PID }, new FakeUsbBackend([device]));
    await link.close();
    assert.deepEqual(device.calls, [
      'open',
      'detach 0',
      'claim 0',
      'poll start',
      'poll stop',
      'release 0',
      'attach 0',
      'close',
    ]);
  });

  it('refuses when no device has the VID:PID, listing the ones seen', async () => {
    const backend = new FakeUsbBackend([
      new FakeUsbDevice({ vendorId: 0x046d, productId: 0xc52b }),
      new FakeUsbDevice({ vendorId: 0x8087, productId: 0x0026 }),
    ]);
    await refusal(
      openUsbBulk({ vendorId: VID, productId: PID }, backend),
      /no USB device 1d50:6018 is connected \(seen: 046d:c52b, 8087:0026\)/,
    );
    await refusal(openUsbBulk({ vendorId: VID, productId: PID }, new FakeUsbBackend([])), /seen: no USB devices/);
  });

  it('refuses several matching devices without a serial number, and an unknown serial number', async () => {
    const backend = new FakeUsbBackend([
      new FakeUsbDevice({ vendorId: VID, productId: PID, serialNumber: 'A1' }),
      new FakeUsbDevice({ vendorId: VID, productId: PID, serialNumber: 'B2' }),
    ]);
    await refusal(
      openUsbBulk({ vendorId: VID, productId: PID }, backend),
      /2 USB devices 1d50:6018 are connected; give a serial number.*A1, B2/,
    );
    await refusal(
      openUsbBulk({ vendorId: VID, productId: PID, serialNumber: 'C3' }, backend),
      /no USB device 1d50:6018 has serial number C3 \(seen: A1, B2\)/,
    );
  });

  it('refuses a device without a bulk endpoint pair, and closes it', async () => {
    const device = new FakeUsbDevice({
      vendorId: VID,
      productId: PID,
      interfaces: [
        {
          interfaceNumber: 0,
          interfaceClass: 0xff,
          interfaceSubclass: 0,
          interfaceProtocol: 0,
          endpoints: [{ endpointNumber: 1, direction: 'in', transferType: 'bulk', maxPacketSize: 64 }],
        },
      ],
    });
    await refusal(
      openUsbBulk({ vendorId: VID, productId: PID }, new FakeUsbBackend([device])),
      /has no interface with a bulk IN and a bulk OUT endpoint/,
    );
    assert.deepEqual(device.calls, ['open', 'close']);
    await refusal(
      openUsbBulk({ vendorId: VID, productId: PID, interfaceNumber: 4 }, new FakeUsbBackend([device])),
      /has no interface 4 \(interfaces: 0\)/,
    );
  });

  it('refuses a CDC-ACM device and points to the serial port', async () => {
    const device = new FakeUsbDevice({ vendorId: 0x2e8a, productId: 0x000a, interfaces: cdcAcmInterfaces() });
    const backend = new FakeUsbBackend([device]);
    const error = await refusal(
      openUsbBulk({ vendorId: 0x2e8a, productId: 0x000a }, backend),
      /is a CDC-ACM \(USB serial\) device.*serial port.*\/dev\/ttyACM.*serial transport/,
    );
    assert.equal(error.params?.path, 'usb:2e8a:000a');
    await refusal(openUsbBulk({ vendorId: 0x2e8a, productId: 0x000a, interfaceNumber: 1 }, backend), /CDC-ACM/);
    assert.ok(!device.calls.some((call) => call.startsWith('claim')));
  });

  it('refuses a busy interface', async () => {
    const device = new FakeUsbDevice({ vendorId: VID, productId: PID, busyInterfaces: [0] });
    await refusal(
      openUsbBulk({ vendorId: VID, productId: PID }, new FakeUsbBackend([device])),
      /USB interface 0 of usb:1d50:6018 is busy \(claimed by another program or a kernel driver\)/,
    );
    assert.deepEqual(device.calls, ['open', 'detach 0', 'claim 0', 'close']);
  });

  it('reports an unplug mid-transfer as a close with an error, and later writes reject', async () => {
    const device = new FakeUsbDevice({ vendorId: VID, productId: PID, serialNumber: 'A1' });
    const link = await openUsbBulk({ vendorId: VID, productId: PID }, new FakeUsbBackend([device]));
    const closes: (Error | undefined)[] = [];
    link.onClose((error) => closes.push(error));
    const received = collect(link);
    device.send(Buffer.from('part'));
    await until(() => received.bytes().length === 4, 'the first bytes');
    // A large write is in flight when the cable is pulled.
    const inFlight = link.write(Buffer.alloc(MAX_OUT_TRANSFER_BYTES * 4));
    device.unplug();
    await refusal(inFlight, /cannot write to USB device usb:1d50:6018:A1/);
    await until(() => closes.length === 1, 'the close');
    assert.ok(closes[0] instanceof StationError);
    assert.match(closes[0].message, /USB device usb:1d50:6018:A1 was lost: LIBUSB_ERROR_NO_DEVICE/);
    await refusal(link.write(Buffer.from('again')), /cannot write to USB device .*was lost/);
    await link.close();
    assert.equal(closes.length, 1);
    assert.ok(device.calls.includes('close'));
  });

  it('close stops polling, releases the interface and closes the device, once', async () => {
    const device = new FakeUsbDevice({ vendorId: VID, productId: PID });
    const link = await openUsbBulk({ vendorId: VID, productId: PID }, new FakeUsbBackend([device]));
    const closes: (Error | undefined)[] = [];
    link.onClose((error) => closes.push(error));
    await link.close();
    await link.close();
    assert.deepEqual(device.calls, ['open', 'detach 0', 'claim 0', 'poll start', 'poll stop', 'release 0', 'close']);
    assert.deepEqual(closes, [undefined]);
    await refusal(link.write(Buffer.from('x')), /the link is closed/);
  });

  it('builds paths as usb:VVVV:PPPP[:serial]', () => {
    assert.equal(usbPath(0x1d50, 0x6018), 'usb:1d50:6018');
    assert.equal(usbPath(0x3, 0xab, 'S-1'), 'usb:0003:00ab:S-1');
  });
});
