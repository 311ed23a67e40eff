// The USB bulk transport against the real `usb` package: on a machine without USB it must fail
// cleanly, and against a real device only when TRUSTLINE_TEST_USB=VID:PID[:serial] names one
// (the device must echo bulk OUT back on bulk IN, as the protocol's loopback firmware does).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { StationError } from '../../main/core/errors/station-error';
import { nativeUsbBackend } from '../../main/core/device/transports/usb/usb-backend';
import { openUsbBulk } from '../../main/core/device/transports/usb/usb-bulk';

const spec = process.env.TRUSTLINE_TEST_USB;
const hasUsb = existsSync('/sys/bus/usb/devices') || process.platform !== 'linux';

describe('usb bulk transport on the real usb package', () => {
  it(
    'refuses cleanly (TRANSPORT_FAILED) when the kernel has no USB',
    { skip: hasUsb && 'this machine has USB' },
    async () => {
      await assert.rejects(openUsbBulk({ vendorId: 0x1d50, productId: 0x6018 }, nativeUsbBackend()), (error) => {
        assert.ok(error instanceof StationError);
        assert.equal(error.code, 'TRANSPORT_FAILED');
        return true;
      });
    },
  );

  it(
    'round-trips bytes through the device named by TRUSTLINE_TEST_USB',
    { skip: spec ? false : 'set TRUSTLINE_TEST_USB=VID:PID[:serial] (hex) to run against a real echoing USB device' },
    async () => {
      const [vid, pid, serial] = (spec ?? '').split(':');
      const link = await openUsbBulk({
        vendorId: Number.parseInt(vid ?? '', 16),
        productId: Number.parseInt(pid ?? '', 16),
        ...(serial ? { serialNumber: serial } : {}),
      });
      try {
        const chunks: Buffer[] = [];
        link.onData((chunk) => chunks.push(chunk));
        const payload = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff));
        await link.write(payload);
        const deadline = Date.now() + 5000;
        while (Buffer.concat(chunks).length < payload.length && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.deepEqual(Buffer.concat(chunks), payload);
      } finally {
        await link.close();
      }
    },
  );
});
