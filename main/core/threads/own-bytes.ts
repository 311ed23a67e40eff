/**
 * The bytes over a memory of their own, for a message to another thread. A small Buffer is
 * usually a view into an 8 KiB slab that Node shares between allocations, and posting a view
 * copies the whole memory beneath it: the certificate recorder received 8 KiB for each
 * certificate of ~600 bytes, allocated and freed on its thread. Bytes that already own their
 * memory are returned as they are.
 */
export function ownBytes(bytes: Uint8Array): Buffer {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength) {
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, 0, bytes.byteLength);
  }
  return Buffer.from(new Uint8Array(bytes).buffer);
}

/**
 * Bytes received from another thread (a Uint8Array, which is what a posted Buffer arrives as) as
 * a Buffer over the same memory, without a copy: what ownBytes() sent already owns its memory.
 */
export function receivedBytes(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
