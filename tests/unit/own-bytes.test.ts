import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { describe, it } from 'node:test';
import { ownBytes } from '../../main/core/threads/own-bytes';

/** What the other end of a port receives for `bytes`: the size of the memory beneath it, and its bytes. */
async function posted(bytes: Uint8Array): Promise<{ memory: number; bytes: Buffer }> {
  const { port1, port2 } = new MessageChannel();
  const received = new Promise<Uint8Array>((resolve) => port2.once('message', resolve));
  port1.postMessage(bytes);
  const got = await received;
  port1.close();
  return { memory: got.buffer.byteLength, bytes: Buffer.from(got) };
}

describe('ownBytes', () => {
  it('copies a view into a shared slab, so that a thread receives only its bytes', async () => {
    const pooled = Buffer.from('a certificate of a few bytes');
    assert.ok(pooled.buffer.byteLength > pooled.byteLength, 'Node gives a short Buffer from its shared slab');
    assert.ok((await posted(pooled)).memory > pooled.byteLength, 'posting the view copies the whole slab');

    const own = ownBytes(pooled);
    assert.ok(Buffer.isBuffer(own));
    assert.equal(own.buffer.byteLength, pooled.byteLength);
    assert.deepEqual(own, pooled);
    const received = await posted(own);
    assert.equal(received.memory, pooled.byteLength);
    assert.deepEqual(received.bytes, pooled);
  });

  it('copies a view into the middle of a larger buffer', () => {
    const whole = Buffer.alloc(10_000, 7);
    whole.write('tail', 9_000);
    const view = whole.subarray(9_000, 9_004);
    const own = ownBytes(view);
    assert.equal(own.toString(), 'tail');
    assert.equal(own.buffer.byteLength, 4);
    own[0] = 0;
    assert.equal(whole[9_000], 't'.charCodeAt(0), 'the copy does not share memory with the original');
  });

  it('returns bytes that already own their memory without copying them', () => {
    const alone = Buffer.alloc(5_000);
    assert.equal(ownBytes(alone), alone);
    const array = new Uint8Array([1, 2, 3]);
    const asBuffer = ownBytes(array);
    assert.equal(asBuffer.buffer, array.buffer, 'the same memory, now as a Buffer');
    assert.deepEqual([...asBuffer], [1, 2, 3]);
  });
});
