import { parseArgs } from 'node:util';
import { untilStopped } from './until-stopped';
import { scanPorts, type PortInfo } from '../core/device/ports/port-scan';
import { watchPorts } from '../core/device/ports/port-watcher';
import { printList, UsageError } from './output';

export const portsUsage = `trustline ports list [--root DIR ...] [--json]
trustline ports watch [--root DIR ...]`;

function usbText(port: PortInfo): string {
  if (!port.usb) return '';
  const ids = [port.usb.vendorId, port.usb.productId].filter((part) => part !== undefined).join(':');
  return port.usb.serialNumber === undefined ? ids : `${ids} ${port.usb.serialNumber}`;
}

/**
 * Serial ports by stable name (udev's by-path links first). `watch` prints one line per arrival
 * or removal until SIGINT or SIGTERM; the ports present at the start are printed as arrivals.
 * `--root DIR` adds a folder of links, e.g. the simulator's `STATE/ports`.
 */
export async function portsCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      root: { type: 'string', multiple: true },
      json: { type: 'boolean' },
    },
  });
  const roots = values.root ?? [];
  if (sub === 'list') {
    const ports = await scanPorts(roots);
    printList(values.json, ports, 'No serial ports found.', ['ID', 'SOURCE', 'TARGET', 'USB'], (port) => [
      port.id,
      port.source,
      port.target,
      usbText(port),
    ]);
  } else if (sub === 'watch') {
    if (values.json) throw new UsageError('ports watch does not take --json');
    const watcher = watchPorts({ roots }, (event) => {
      const usb = usbText(event.port);
      process.stdout.write(
        `${new Date().toISOString()}  ${event.kind === 'arrived' ? 'arrived' : 'left   '}  ${event.port.id}  ${event.port.target}${usb ? `  ${usb}` : ''}\n`,
      );
    });
    await watcher.ready;
    process.stderr.write('Watching serial ports. Ctrl-C stops.\n');
    await untilStopped();
    watcher.close();
  } else {
    throw new UsageError(`unknown ports command "${sub ?? ''}"`);
  }
}
