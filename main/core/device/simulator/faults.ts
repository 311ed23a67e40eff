/**
 * Fault injection for simulated devices: what a bad cable, a hung firmware or a broken device
 * looks like to the station, one port at a time. `parseFaultSpec` reads the `trustline sim
 * --faults` syntax (FAULT_SPEC_SYNTAX); the virtual device applies a DeviceFaults.
 */

export interface DeviceFaults {
  /** Each byte the device sends is lost with this probability (seeded, reproducible). */
  drop?: number;
  /** Each byte the device sends has one bit flipped with this probability (seeded). */
  corrupt?: number;
  /**
   * The first response after power-on stops after half of its frame and is never finished;
   * retries of that request get nothing. The device keeps listening: the next new request
   * is answered normally (one-shot per device start).
   */
  stall?: boolean;
  /**
   * The device end goes away (its PTY pair is closed) when the station's chain write reaches its
   * second chunk (or its only chunk). One-shot per port: the replugged device works.
   */
  unplug?: boolean;
  /** IDENTIFY reports the serial number of this other port (1-based). */
  duplicateSerialOf?: number;
  /** GENERATE_KEY returns a CSR whose signature does not verify. */
  badCsr?: boolean;
  /** LOCK is answered with STORAGE_FAILURE (the lock could not be recorded); the device stays open. */
  refuseLock?: boolean;
  /**
   * LOCK locks the device, but neither its answer nor the answers to its retries ever leave (the
   * link dropped them): the station cannot know the lock took. One-shot per device start.
   */
  lockSilent?: boolean;
  /** READ_SLOT of a certificate slot returns other bytes (same length) than the ones written. */
  wrongReadback?: boolean;
  /** SIGN_CHALLENGE signs with a key other than the slot's. */
  wrongPopKey?: boolean;
}

/** The error code a refuse-lock device answers LOCK with. */
export const REFUSE_LOCK_ERROR = 'STORAGE_FAILURE';

export const FAULT_SPEC_SYNTAX =
  'PORT:FAULT[,PORT:FAULT...] (a port may appear several times to combine faults); FAULT is ' +
  'drop=RATE | corrupt=RATE (per output byte, 0 < RATE < 1) | stall | unplug | ' +
  'duplicate-serial[=OTHER_PORT] (default port 1, or 2 for port 1) | bad-csr | refuse-lock | lock-silent | ' +
  'wrong-readback | wrong-pop-key. Example: 2:drop=0.001,3:stall,4:unplug,5:duplicate-serial=1';

export class FaultSpecError extends Error {
  constructor(
    readonly part: string,
    reason: string,
  ) {
    super(`--faults: "${part}": ${reason}. Syntax: ${FAULT_SPEC_SYNTAX}`);
    this.name = 'FaultSpecError';
  }
}

const FLAG_FAULTS = {
  stall: 'stall',
  unplug: 'unplug',
  'bad-csr': 'badCsr',
  'refuse-lock': 'refuseLock',
  'lock-silent': 'lockSilent',
  'wrong-readback': 'wrongReadback',
  'wrong-pop-key': 'wrongPopKey',
} as const satisfies Record<string, keyof DeviceFaults>;

const FAULT_NAMES = ['drop', 'corrupt', 'duplicate-serial', ...Object.keys(FLAG_FAULTS)];

/**
 * Parses a --faults value into the faults of each port (1-based). `ports`, when given, is the
 * number of simulated ports: a port number above it is an error. Throws FaultSpecError naming
 * the bad part.
 */
export function parseFaultSpec(spec: string, ports?: number): Map<number, DeviceFaults> {
  const result = new Map<number, DeviceFaults>();
  const parts = spec.split(',').map((p) => p.trim());
  for (const part of parts) {
    if (part === '') throw new FaultSpecError(spec, 'empty entry (two commas, or a comma at an end)');
    const match = /^(\d+):([a-z-]+)(?:=(.*))?$/.exec(part);
    if (!match) throw new FaultSpecError(part, 'expected PORT:FAULT or PORT:FAULT=VALUE');
    const port = Number(match[1]);
    const name = match[2] ?? '';
    const value = match[3];
    if (!Number.isInteger(port) || port < 1) throw new FaultSpecError(part, 'the port must be a number from 1');
    if (ports !== undefined && port > ports) {
      throw new FaultSpecError(part, `port ${port} does not exist (--ports ${ports})`);
    }
    const faults = result.get(port) ?? {};
    if (name === 'drop' || name === 'corrupt') {
      const rate = Number(value);
      if (value === undefined || value.trim() === '' || !Number.isFinite(rate) || rate <= 0 || rate >= 1) {
        throw new FaultSpecError(part, `${name} needs a per-byte rate between 0 and 1, e.g. ${name}=0.001`);
      }
      faults[name] = rate;
    } else if (name === 'duplicate-serial') {
      let other = port === 1 ? 2 : 1;
      if (value !== undefined) {
        other = Number(value);
        if (!/^\d+$/.test(value) || other < 1)
          throw new FaultSpecError(part, 'duplicate-serial=OTHER_PORT needs a port number');
      }
      if (other === port) throw new FaultSpecError(part, 'a port cannot duplicate its own serial number');
      if (ports !== undefined && other > ports) {
        throw new FaultSpecError(part, `port ${other} does not exist (--ports ${ports})`);
      }
      faults.duplicateSerialOf = other;
    } else if (name in FLAG_FAULTS) {
      if (value !== undefined) throw new FaultSpecError(part, `${name} takes no value`);
      faults[FLAG_FAULTS[name as keyof typeof FLAG_FAULTS]] = true;
    } else {
      throw new FaultSpecError(part, `unknown fault "${name}" (known: ${FAULT_NAMES.join(', ')})`);
    }
    result.set(port, faults);
  }
  return result;
}

/** A short human description, e.g. "drop=0.001 stall", for the simulator's port listing. */
export function describeFaults(faults: DeviceFaults | undefined): string {
  if (!faults) return '';
  const words: string[] = [];
  if (faults.drop) words.push(`drop=${faults.drop}`);
  if (faults.corrupt) words.push(`corrupt=${faults.corrupt}`);
  if (faults.duplicateSerialOf !== undefined) words.push(`duplicate-serial=${faults.duplicateSerialOf}`);
  for (const [word, key] of Object.entries(FLAG_FAULTS)) if (faults[key]) words.push(word);
  return words.join(' ');
}

/**
 * Applies drop and corrupt to bytes leaving the device: each byte is independently lost, or has
 * one random bit flipped, at the given rates. Returns the same buffer when nothing happened.
 */
export function damageBytes(
  bytes: Buffer,
  faults: Pick<DeviceFaults, 'drop' | 'corrupt'>,
  random: () => number,
  counters: { bytesDropped: number; bytesCorrupted: number },
): Buffer {
  const drop = faults.drop ?? 0;
  const corrupt = faults.corrupt ?? 0;
  if (drop <= 0 && corrupt <= 0) return bytes;
  const out: number[] = [];
  for (const byte of bytes) {
    if (drop > 0 && random() < drop) {
      counters.bytesDropped++;
      continue;
    }
    if (corrupt > 0 && random() < corrupt) {
      counters.bytesCorrupted++;
      out.push(byte ^ (1 << Math.floor(random() * 8)));
      continue;
    }
    out.push(byte);
  }
  return Buffer.from(out);
}
