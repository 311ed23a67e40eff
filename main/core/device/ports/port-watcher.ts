/**
 * Hot-plug: rescans the ports every `intervalMs` (the guarantee) and also soon after fs.watch
 * sees a change in /dev, /dev/serial/by-* or an extra root (a shortcut where inotify works), and
 * reports the difference. The ports present at the start are reported as arrivals too, so a
 * listener that only follows events always has the full picture; `ready` resolves after that
 * first scan. A port is the pair (id, target): the same name now pointing at another device
 * (re-plugged elsewhere) is reported as left, then arrived.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { scanPorts, type PortInfo, type ScanOptions } from './port-scan';

export interface PortEvent {
  kind: 'arrived' | 'left';
  port: PortInfo;
}

export interface WatchPortsOptions extends ScanOptions {
  roots?: string[];
  /** Polling period; default 250 ms, so a change is seen within about a quarter second. */
  intervalMs?: number;
  /** Also rescan on fs.watch events (default true); off, polling alone keeps the bound. */
  fsWatch?: boolean;
}

export interface PortWatcher {
  /** Stops polling and watching; no event is delivered after it returns. */
  close(): void;
  /** The ports as of the last scan (empty before the first one completes). */
  current(): PortInfo[];
  /** Resolves once the first scan is done and its arrivals delivered. */
  ready: Promise<void>;
}

/** fs.watch bursts (socat makes a link, then another) are folded into one rescan. */
const WATCH_DEBOUNCE_MS = 20;

const keyOf = (port: PortInfo) => `${port.id}\0${port.target}\0${port.path}`;

export function watchPorts(options: WatchPortsOptions, onChange: (event: PortEvent) => void): PortWatcher {
  const roots = options.roots ?? [];
  const intervalMs = options.intervalMs ?? 250;
  if (!(intervalMs > 0)) throw new RangeError('intervalMs must be positive');
  const scanOptions: ScanOptions = {
    ...(options.devRoot === undefined ? {} : { devRoot: options.devRoot }),
    ...(options.sysfsRoot === undefined ? {} : { sysfsRoot: options.sysfsRoot }),
  };
  let known = new Map<string, PortInfo>();
  let closed = false;
  let scanning = false;
  let again = false;
  let debounce: NodeJS.Timeout | undefined;
  let resolveReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });

  const emit = (event: PortEvent) => {
    if (closed) return;
    try {
      onChange(event);
    } catch {
      // A throwing listener must not stop the watcher.
    }
  };

  const scan = async (): Promise<void> => {
    if (scanning) {
      again = true;
      return;
    }
    scanning = true;
    try {
      do {
        again = false;
        let ports: PortInfo[];
        try {
          ports = await scanPorts(roots, scanOptions);
        } catch {
          continue; // keep the last picture; the next round tries again
        }
        if (closed) return;
        const next = new Map(ports.map((port) => [keyOf(port), port]));
        const left = [...known].filter(([key]) => !next.has(key)).map(([, port]) => port);
        const arrived = [...next].filter(([key]) => !known.has(key)).map(([, port]) => port);
        known = next;
        for (const port of left) emit({ kind: 'left', port });
        for (const port of arrived) emit({ kind: 'arrived', port });
      } while (again && !closed);
    } finally {
      scanning = false;
      resolveReady();
    }
  };

  const soon = () => {
    if (closed || debounce) return;
    debounce = setTimeout(() => {
      debounce = undefined;
      void scan();
    }, WATCH_DEBOUNCE_MS);
  };

  const devRoot = options.devRoot ?? '/dev';
  const watchers: FSWatcher[] = [];
  const watched = [devRoot, path.join(devRoot, 'serial', 'by-path'), path.join(devRoot, 'serial', 'by-id'), ...roots];
  for (const dir of options.fsWatch === false ? [] : watched) {
    try {
      const watcher = watch(dir, { persistent: false }, soon);
      watcher.on('error', () => watcher.close()); // e.g. the folder was removed: polling carries on
      watchers.push(watcher);
    } catch {
      // Missing folder or no inotify: polling alone still reports within intervalMs.
    }
  }
  const timer = setInterval(() => void scan(), intervalMs);
  void scan();

  return {
    close() {
      closed = true;
      clearInterval(timer);
      if (debounce) clearTimeout(debounce);
      for (const watcher of watchers) watcher.close();
      resolveReady();
    },
    current: () => [...known.values()],
    ready,
  };
}
