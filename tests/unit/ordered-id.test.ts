import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idSchema } from '../../preload/contract/device-group.schema';
import { orderedUuid } from '../../main/core/store/ordered-id';

const shape = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('orderedUuid (UUID version 7)', () => {
  it('has version 7, the RFC 9562 variant, and passes the contract’s id check', () => {
    for (let i = 0; i < 1000; i += 1) {
      const id = orderedUuid();
      assert.match(id, shape);
      assert.equal(idSchema.safeParse(id).success, true, id);
    }
  });

  it('carries the time in milliseconds in its first 48 bits', () => {
    const now = Date.UTC(2026, 10, 24, 17, 0, 0, 123);
    const id = orderedUuid(now);
    assert.equal(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16), now);
    // A time above 2^32 ms must keep its top bits (not wrap into the low 32).
    assert.equal(
      id.slice(0, 8),
      Math.floor(now / 2 ** 16)
        .toString(16)
        .padStart(8, '0'),
    );
  });

  it('sorts ids of later milliseconds after earlier ones, as text too', () => {
    const base = Date.UTC(2026, 0, 1);
    const ids = Array.from({ length: 500 }, (_, i) => orderedUuid(base + i * 7));
    assert.deepEqual([...ids].sort(), ids);
  });

  it('keeps 74 random bits: ids of the same millisecond differ', () => {
    const now = Date.now();
    const ids = new Set(Array.from({ length: 20_000 }, () => orderedUuid(now)));
    assert.equal(ids.size, 20_000);
    // The random part varies in every one of its hex digits, not only in a counter.
    const tails = [...ids].map((id) => id.slice(24));
    for (let digit = 0; digit < 12; digit += 1) {
      assert.ok(new Set(tails.map((t) => t[digit])).size > 8, `digit ${digit} of the tail barely varies`);
    }
  });
});
