import type { ByteLink } from '../main/core/device/transports/byte-link';

/**
 * For benches on PTYs, which have no baud rate: each of the station's writes reaches the device
 * when a UART at `baudRate` (8N1) would have finished sending it, one write after the other, and
 * write() resolves then. The bytes go in one piece at the end of their wire time rather than
 * trickling: a device acts on a frame only at its delimiter, so the timing it sees is the same,
 * and the station does not pay a system call per few bytes that a real UART driver never costs.
 */
export function pacedStationLink(link: ByteLink, baudRate: number): ByteLink {
  const bytesPerMs = baudRate / 10 / 1000;
  /** When the line is free again (performance.now() time). */
  let lineFreeAt = 0;
  let closed = false;
  return {
    path: link.path,
    onData: (listener) => link.onData(listener),
    onClose: (listener) => link.onClose(listener),
    async write(data) {
      const start = Math.max(performance.now(), lineFreeAt);
      lineFreeAt = start + data.length / bytesPerMs;
      const wait = lineFreeAt - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (closed) return;
      await link.write(data);
    },
    async close() {
      closed = true;
      await link.close();
    },
  };
}
