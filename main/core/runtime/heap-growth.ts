import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full collection left alive before
 * it starts the next one. Left to itself, V8 picks a factor of up to 4 when collections are cheap,
 * and a station's are: its live heap is small (tens of MiB), while a batch job promotes a steady
 * trickle of short-lived rows into the old generation. Measured on a 30,000-row register-devices
 * run: the heap ended at 76 MiB with V8's own factor and at 58 MiB with 1.5, in the same time.
 * `npm run bench -- batch` prints what it does to a job's peak and rate.
 */
export const heapGrowingPercent = 50;

const flag = '--heap-growing-percent';
let applied = false;

/**
 * Caps the old generation's growth for this process and its worker threads (V8's flags are the
 * process's). V8 reads this flag each time it sets the next limit, so setting it after start-up
 * takes effect. A flag given on the command line wins: whoever started the process chose it.
 * Returns whether the cap is set by this call.
 */
export function limitHeapGrowth(): boolean {
  if (applied || process.execArgv.some((arg) => arg.startsWith(flag))) return false;
  setFlagsFromString(`${flag}=${heapGrowingPercent}`);
  applied = true;
  return true;
}
