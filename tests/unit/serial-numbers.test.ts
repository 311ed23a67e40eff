import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newSerial } from '../../main/core/issuance/serial-numbers';

describe('newSerial', () => {
  it('is 16 bytes, positive, with no leading byte DER would strip', () => {
    for (let i = 0; i < 1000; i += 1) {
      const serial = newSerial();
      assert.equal(serial.length, 16);
      const top = serial[0] ?? 0;
      assert.equal(top & 0x80, 0, 'the top bit is clear: a positive INTEGER');
      assert.equal(top & 0x40, 0x40, 'the next bit is set: the first byte is never zero');
    }
  });

  it('carries the time in milliseconds in its first six bytes', () => {
    const now = Date.UTC(2026, 10, 25, 4, 30, 0, 789);
    const serial = newSerial(now);
    assert.equal((serial[0] ?? 0) & 0x3f, Math.floor(now / 2 ** 40));
    assert.equal(serial.readUIntBE(1, 5), now % 2 ** 40);
  });

  it('sorts serials of later milliseconds after earlier ones, as the hex the store indexes', () => {
    const base = Date.UTC(2026, 0, 1);
    const serials = Array.from({ length: 500 }, (_, i) => newSerial(base + i * 13).toString('hex'));
    assert.deepEqual([...serials].sort(), serials);
    // Across a carry into the top byte's time bits too.
    const carry = 2 ** 40;
    assert.ok(newSerial(carry - 1).toString('hex') < newSerial(carry).toString('hex'));
  });

  it('keeps 80 random bits: serials of the same millisecond differ in every byte of their tail', () => {
    const now = Date.now();
    const serials = Array.from({ length: 20_000 }, () => newSerial(now));
    assert.equal(new Set(serials.map((s) => s.toString('hex'))).size, serials.length);
    for (let byte = 6; byte < 16; byte += 1) {
      const values = new Set(serials.map((s) => s[byte]));
      assert.ok(values.size > 200, `byte ${byte} of the random part takes only ${values.size} values`);
    }
  });
});
