import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { publicRandomBytes } from '../../main/core/pki/random-pool';

describe('publicRandomBytes', () => {
  it('gives buffers of the size asked, each with memory of its own', () => {
    const a = publicRandomBytes(16);
    const kept = Buffer.from(a);
    assert.equal(a.length, 16);
    // Enough draws to refill the block: a view into it would now hold other bytes.
    for (let i = 0; i < 300; i += 1) publicRandomBytes(16);
    assert.deepEqual(a, kept);
    // And writing into a draw changes nothing the pool hands out next.
    const b = publicRandomBytes(4096);
    b.fill(0);
    assert.notDeepEqual(publicRandomBytes(16), Buffer.alloc(16));
  });

  it('never repeats across many blocks, with draws of sizes that do not divide the block', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i += 1) seen.add(publicRandomBytes(i % 2 === 0 ? 16 : 23).toString('hex'));
    assert.equal(seen.size, 5000);
  });

  it('spreads its bytes over every value', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 4000; i += 1) for (const byte of publicRandomBytes(16)) counts[byte] = (counts[byte] ?? 0) + 1;
    // 64,000 bytes: about 250 of each value; none absent, none far off.
    assert.ok(Math.min(...counts) > 150 && Math.max(...counts) < 360, JSON.stringify(counts));
  });

  it('refuses sizes it cannot draw', () => {
    for (const size of [0, -1, 1.5, 4097, Number.NaN]) assert.throws(() => publicRandomBytes(size), RangeError);
  });
});
