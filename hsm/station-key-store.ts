import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { KeyStoreError } from './key-store';
import type { KeyStore } from './key-store';
import { acquireModule, releaseModule } from './pkcs11-module-registry';
import { openPkcs11KeyStore } from './pkcs11-key-store';
import { ensureSoftHsmConfig, ensureSoftHsmToken, findSoftHsmModule, stationSoftHsmPaths } from './softhsm';
import { openSoftwareKeyStore } from './software-key-store';

export const defaultStationTokenLabel = 'trustline-station';
export const minimumPinLength = 4;
export const maximumPinLength = 255;
const softwareTokenFileName = 'software-token.json';

export interface StationKeyStoreOptions {
  /** The station's key-store folder: SoftHSM2 config and tokens, or the software token file. */
  readonly dir: string;
  readonly pin: string;
  /** An external HSM's PKCS#11 module: its token is opened as it is, never initialised. */
  readonly modulePath?: string;
  readonly tokenLabel?: string;
  /** Pool size for PKCS#11 stores; default 2. */
  readonly sessions?: number;
}

export interface OpenedStationKeyStore {
  readonly store: KeyStore;
  /** True when this call initialised the token (or created the software token file). */
  readonly created: boolean;
  /** The SoftHSM2 token's SO PIN, returned only by the call that created it and stored nowhere. */
  readonly soPin?: string;
}

export type StationKeyStoreChoice =
  | {
      readonly kind: 'external-pkcs11';
      readonly modulePath: string;
      readonly moduleFound: boolean;
      readonly tokenLabel: string;
      readonly reason: string;
    }
  | {
      readonly kind: 'station-softhsm';
      readonly modulePath: string;
      readonly configPath: string;
      readonly tokenDir: string;
      readonly tokenLabel: string;
      /** Whether the token folder holds a token yet (it is made on first unlock). */
      readonly tokenPresent: boolean;
      readonly reason: string;
    }
  | {
      readonly kind: 'software';
      readonly file: string;
      readonly fileExists: boolean;
      readonly notForProduction: true;
      readonly reason: string;
    };

/** The station's PIN rule; the same as SoftHSM2's minimum, so a PIN we accept the token accepts. */
export function assertStationPin(pin: string): void {
  // Checked before a token is made: SoftHSM2 refuses longer PINs only after C_InitToken, which
  // would leave a token with no user PIN behind.
  if (pin.length < minimumPinLength || pin.length > maximumPinLength) {
    throw new KeyStoreError(
      'HSM_PIN_INCORRECT',
      `the PIN must be ${minimumPinLength} to ${maximumPinLength} characters long`,
    );
  }
}

/** Which key store the station would open from `dir`, and why, without a PIN and without touching a token. */
export function describeStationKeyStoreChoice(
  dir: string,
  options: { modulePath?: string; tokenLabel?: string; env?: NodeJS.ProcessEnv } = {},
): StationKeyStoreChoice {
  const tokenLabel = options.tokenLabel ?? defaultStationTokenLabel;
  if (options.modulePath !== undefined) {
    const modulePath = path.resolve(options.modulePath);
    const moduleFound = existsSync(modulePath);
    return {
      kind: 'external-pkcs11',
      modulePath,
      moduleFound,
      tokenLabel,
      reason: moduleFound
        ? `a PKCS#11 module is configured: ${modulePath}, token "${tokenLabel}"`
        : `a PKCS#11 module is configured but missing: ${modulePath}`,
    };
  }
  const softHsm = findSoftHsmModule(options.env);
  if (softHsm) {
    const { config, tokenDir } = stationSoftHsmPaths(path.resolve(dir));
    let tokenPresent: boolean;
    try {
      tokenPresent = readdirSync(tokenDir).length > 0;
    } catch {
      tokenPresent = false;
    }
    return {
      kind: 'station-softhsm',
      modulePath: softHsm.path,
      configPath: config,
      tokenDir,
      tokenLabel,
      tokenPresent,
      reason:
        softHsm.source === 'TRUSTLINE_SOFTHSM2_MODULE'
          ? `SoftHSM2 from $TRUSTLINE_SOFTHSM2_MODULE (${softHsm.path}), the station's own token "${tokenLabel}"`
          : `SoftHSM2 found at ${softHsm.path}, the station's own token "${tokenLabel}"`,
    };
  }
  const file = path.join(path.resolve(dir), softwareTokenFileName);
  return {
    kind: 'software',
    file,
    fileExists: existsSync(file),
    notForProduction: true,
    reason:
      'no PKCS#11 module is configured and SoftHSM2 (libsofthsm2.so) is not installed: software token, not for production',
  };
}

/**
 * Opens the station's key store: the configured external HSM, else the station's own SoftHSM2
 * token (made on first use), else the software token. The PIN is passed to the token and
 * nowhere else.
 */
export async function openStationKeyStore(options: StationKeyStoreOptions): Promise<OpenedStationKeyStore> {
  assertStationPin(options.pin);
  const tokenLabel = options.tokenLabel ?? defaultStationTokenLabel;
  const sessions = options.sessions !== undefined ? { sessions: options.sessions } : {};
  if (options.modulePath !== undefined) {
    const store = await openPkcs11KeyStore({
      modulePath: options.modulePath,
      tokenLabel,
      pin: options.pin,
      ...sessions,
    });
    return { store, created: false };
  }

  const dir = path.resolve(options.dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const softHsm = findSoftHsmModule();
  if (!softHsm) {
    const file = path.join(dir, softwareTokenFileName);
    const existed = existsSync(file);
    const store = await openSoftwareKeyStore({ file, pin: options.pin, tokenLabel });
    return { store, created: !existed };
  }

  const config = await ensureSoftHsmConfig(dir);
  // Held across token set-up and open so the module is not finalised and re-initialised in between.
  const module = acquireModule(softHsm.path, { softHsmConfig: config });
  try {
    const { created, soPin } = ensureSoftHsmToken(softHsm.path, config, tokenLabel, options.pin);
    const store = await openPkcs11KeyStore({
      modulePath: softHsm.path,
      tokenLabel,
      pin: options.pin,
      softHsmConfig: config,
      ...sessions,
    });
    return soPin !== undefined ? { store, created, soPin } : { store, created };
  } finally {
    releaseModule(module);
  }
}
