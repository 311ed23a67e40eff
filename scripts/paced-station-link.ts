import { createPacedOutput } from '../main/core/device/simulator/paced-output';
import type { ByteLink } from '../main/core/device/transports/byte-link';

/**
 * For benches on PTYs, which have no baud rate: the station's writes leave no faster than a
 * UART at `baudRate` would send them, and write() resolves once they are sent.
 */
export function pacedStationLink(link: ByteLink, baudRate: number): ByteLink {
  const output = createPacedOutput(link, baudRate);
  return {
    path: link.path,
    onData: (listener) => link.onData(listener),
    onClose: (listener) => link.onClose(listener),
    async write(data) {
      output.send(data);
      await output.flushed();
    },
    async close() {
      output.stop();
      await link.close();
    },
  };
}
