/**
 * Lists the serial ports the station could open, each under a name that survives reboots.
 *
 * Sources, in order of preference (one entry per device: a port seen twice keeps the first name):
 * - `by-path`: udev's /dev/serial/by-path links, named after the physical USB/PCI path, so the
 *   adapter in fixture socket 3 keeps its name whatever order the kernel enumerated it in;
 * - `by-id`: /dev/serial/by-id links (vendor, product, serial number: follows the adapter);
 * - `extra`: every link or character device in the roots given by the caller, e.g. the
 *   simulator's `ports/` folder; the id is the link's absolute path (stable as long as the
 *   folder is). A `NAME-device` link next to a `NAME-station` link is the virtual device's end of
 *   a simulator PTY pair, not a station port, and is left out;
 * - `tty`: raw /dev/ttyUSB*, /dev/ttyACM* and /dev/ttyS*, id = the device path (not stable across
 *   reboots; only for systems without udev). ttyS ports are listed only when sysfs reports a UART
 *   behind them (`/sys/class/tty/ttySN/type` non-zero): Linux creates ttyS0–ttyS31 whether or not
 *   a chip exists, and opening a phantom one fails. A ttyS port can always be named explicitly by
 *   putting a link to it in an extra root.
 *
 * Missing folders (no udev, no USB, no sysfs) give fewer ports, never an error.
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { readUsbInfo, serialUartPresent, type UsbInfo } from './sysfs-usb';

export type PortSource = 'by-path' | 'by-id' | 'tty' | 'extra';

export interface PortInfo {
  /** Stable name: the by-path/by-id link name, the link's absolute path in an extra root, or the tty path. */
  id: string;
  /** What to open. */
  path: string;
  /** The device the path resolves to (realpath). */
  target: string;
  source: PortSource;
  usb?: UsbInfo;
}

export interface ScanOptions {
  /** Where device nodes live; "/dev" except in tests. */
  devRoot?: string;
  /** Where sysfs is mounted; "/sys" except in tests. */
  sysfsRoot?: string;
}

const RAW_TTY = /^tty(USB|ACM)\d+$/;
const RAW_TTY_S = /^ttyS\d+$/;

async function listDir(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** The realpath of a character device, or undefined (dangling link, regular file, gone). */
async function charDeviceTarget(file: string): Promise<string | undefined> {
  try {
    const target = await realpath(file);
    return (await stat(target)).isCharacterDevice() ? target : undefined;
  } catch {
    return undefined;
  }
}

interface Candidate {
  id: string;
  path: string;
  source: PortSource;
}

async function udevLinks(dir: string, source: 'by-path' | 'by-id'): Promise<Candidate[]> {
  const entries = await listDir(dir);
  return entries
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ id: name, path: path.join(dir, name), source }));
}

async function extraRoot(root: string): Promise<Candidate[]> {
  const dir = path.resolve(root);
  const entries = (await listDir(dir)).filter((entry) => entry.isSymbolicLink() || entry.isCharacterDevice());
  const names = new Set(entries.map((entry) => entry.name));
  return entries
    .map((entry) => entry.name)
    .filter((name) => !(name.endsWith('-device') && names.has(`${name.slice(0, -'-device'.length)}-station`)))
    .sort()
    .map((name) => ({ id: path.join(dir, name), path: path.join(dir, name), source: 'extra' as const }));
}

async function rawTtys(devRoot: string, sysfsRoot: string): Promise<Candidate[]> {
  const names = (await listDir(devRoot)).map((entry) => entry.name);
  const wanted: string[] = [];
  for (const name of names) {
    if (RAW_TTY.test(name) || (RAW_TTY_S.test(name) && (await serialUartPresent(name, sysfsRoot)))) wanted.push(name);
  }
  return wanted
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((name) => ({ id: path.join(devRoot, name), path: path.join(devRoot, name), source: 'tty' as const }));
}

export async function scanPorts(roots: string[] = [], options: ScanOptions = {}): Promise<PortInfo[]> {
  const devRoot = options.devRoot ?? '/dev';
  const sysfsRoot = options.sysfsRoot ?? '/sys';
  const groups = await Promise.all([
    udevLinks(path.join(devRoot, 'serial', 'by-path'), 'by-path'),
    udevLinks(path.join(devRoot, 'serial', 'by-id'), 'by-id'),
    ...roots.map((root) => extraRoot(root)),
    rawTtys(devRoot, sysfsRoot),
  ]);
  const candidates = groups.flat();
  const targets = await Promise.all(candidates.map((candidate) => charDeviceTarget(candidate.path)));
  const seen = new Set<string>();
  const ports: PortInfo[] = [];
  for (const [index, candidate] of candidates.entries()) {
    const target = targets[index];
    if (target === undefined || seen.has(target)) continue;
    seen.add(target);
    const usb = await readUsbInfo(path.basename(target), sysfsRoot);
    ports.push({ ...candidate, target, ...(usb ? { usb } : {}) });
  }
  return ports;
}
