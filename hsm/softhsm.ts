import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pkcs11js from 'pkcs11js';
import { writeFileAtomic } from './atomic-file';
import { KeyStoreError } from './key-store';
import { toKeyStoreError } from './pkcs11-errors';
import { acquireModule, releaseModule } from './pkcs11-module-registry';
import { tokenSlots } from './pkcs11-slots';

/** Where Debian, Ubuntu, Fedora-style and source installs put SoftHSM2's module. */
export const softHsmModuleLocations = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
] as const;

export interface SoftHsmModuleLocation {
  readonly path: string;
  /** How it was found: the environment variable, or the list of usual places. */
  readonly source: 'TRUSTLINE_SOFTHSM2_MODULE' | 'default location';
}

/**
 * Finds libsofthsm2.so: $TRUSTLINE_SOFTHSM2_MODULE first, then the usual install locations.
 * `TRUSTLINE_SOFTHSM2_MODULE=none` turns SoftHSM2 off, so a demo runs on the software token.
 */
export function findSoftHsmModule(env: NodeJS.ProcessEnv = process.env): SoftHsmModuleLocation | null {
  const fromEnv = env.TRUSTLINE_SOFTHSM2_MODULE;
  if (fromEnv === 'none') return null;
  if (fromEnv && existsSync(fromEnv)) return { path: path.resolve(fromEnv), source: 'TRUSTLINE_SOFTHSM2_MODULE' };
  const found = softHsmModuleLocations.find((candidate) => existsSync(candidate));
  return found ? { path: found, source: 'default location' } : null;
}

/** The station's own SoftHSM2 layout inside its data folder. */
export function stationSoftHsmPaths(dir: string): { config: string; tokenDir: string } {
  return { config: path.join(dir, 'softhsm2.conf'), tokenDir: path.join(dir, 'tokens') };
}

/** Writes `<dir>/softhsm2.conf` (file backend, tokens under `<dir>/tokens`) if it is not there yet. */
export async function ensureSoftHsmConfig(dir: string): Promise<string> {
  const { config, tokenDir } = stationSoftHsmPaths(dir);
  await mkdir(tokenDir, { recursive: true, mode: 0o700 });
  if (!existsSync(config)) {
    const text = [
      "# Written by Trustline for the station's own SoftHSM2 token.",
      `directories.tokendir = ${tokenDir}`,
      'objectstore.backend = file',
      'log.level = ERROR',
      '',
    ].join('\n');
    await writeFileAtomic(config, text, 0o600);
  }
  return config;
}

/** PKCS#11 labels are 32 bytes, space padded; C_InitToken takes them that way. */
function paddedLabel(label: string): string {
  const bytes = Buffer.byteLength(label, 'utf8');
  if (bytes === 0 || bytes > 32) {
    throw new KeyStoreError('HSM_FAILURE', `a token label must be 1 to 32 bytes, "${label}" is ${bytes}`);
  }
  return label + ' '.repeat(32 - bytes);
}

/**
 * Makes sure the SoftHSM2 behind `config` has a token labelled `label`; when it does not, it
 * initialises the free slot with a random SO PIN and sets the user PIN. The SO PIN is returned
 * for the caller to show once; it is not kept anywhere.
 */
export function ensureSoftHsmToken(
  modulePath: string,
  config: string,
  label: string,
  userPin: string,
): { created: boolean; soPin?: string } {
  const module = acquireModule(modulePath, { softHsmConfig: config });
  const { pkcs11 } = module;
  try {
    const slots = tokenSlots(pkcs11);
    if (slots.some((entry) => entry.token.initialized && entry.token.label === label)) return { created: false };
    const free = slots.find((entry) => !entry.token.initialized);
    if (!free)
      throw new KeyStoreError('HSM_TOKEN_NOT_FOUND', `SoftHSM2 (${config}) has no free slot for token "${label}"`);

    const soPin = randomBytes(16).toString('hex');
    try {
      pkcs11.C_InitToken(free.slot, soPin, paddedLabel(label));
    } catch (error) {
      throw toKeyStoreError(error, `initialising token "${label}"`);
    }
    // SoftHSM2 keeps the slot id until the next C_Initialize, but find it by label as elsewhere.
    const initialised = tokenSlots(pkcs11).find((entry) => entry.token.initialized && entry.token.label === label);
    if (!initialised) throw new KeyStoreError('HSM_FAILURE', `token "${label}" did not appear after initialisation`);
    const session = pkcs11.C_OpenSession(initialised.slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    try {
      pkcs11.C_Login(session, pkcs11js.CKU_SO, soPin);
      pkcs11.C_InitPIN(session, userPin);
      pkcs11.C_Logout(session);
    } catch (error) {
      throw toKeyStoreError(error, `setting the user PIN of token "${label}"`);
    } finally {
      pkcs11.C_CloseSession(session);
    }
    return { created: true, soPin };
  } finally {
    releaseModule(module);
  }
}
