import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import type { KeyStoreStatus } from '../../../preload/contract';
import { describeStationKeyStoreChoice, type KeyStore, openStationKeyStore } from '../../../hsm';
import { toStationError } from '../errors/key-store-error';
import { StationError } from '../errors/station-error';

export interface KeyStoreOptions {
  /** An external PKCS#11 module (YubiHSM, Luna, nShield…); absent: the station's own token. */
  modulePath?: string;
  tokenLabel?: string;
  /** Unlock on first use with this PIN (from TRUSTLINE_HSM_PIN or a PIN file), held in memory only. */
  pin?: string;
  sessions?: number;
  /** Told once when the station's own token was created, with its security-officer PIN to show. */
  onTokenCreated?: (soPin: string) => void;
}

export interface KeyStoreSession {
  status(): KeyStoreStatus;
  unlock(pin: string): Promise<KeyStoreStatus>;
  /** The unlocked store, unlocking with the configured PIN if there is one; else KEY_STORE_LOCKED. */
  require(step: string): Promise<KeyStore>;
  close(): Promise<void>;
}

/** Key-store settings from the environment, for `serve` and the CLI alike. */
export function keyStoreOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): KeyStoreOptions {
  return {
    ...(env.TRUSTLINE_PKCS11_MODULE ? { modulePath: env.TRUSTLINE_PKCS11_MODULE } : {}),
    ...(env.TRUSTLINE_PKCS11_TOKEN ? { tokenLabel: env.TRUSTLINE_PKCS11_TOKEN } : {}),
    ...(env.TRUSTLINE_HSM_PIN ? { pin: env.TRUSTLINE_HSM_PIN } : {}),
  };
}

/**
 * The station's key store, locked until someone gives the PIN. The PIN lives only in the token's
 * login state: it is never written by the station.
 */
export function createKeyStoreSession(dataDir: string, options: KeyStoreOptions = {}): KeyStoreSession {
  const dir = path.join(dataDir, 'hsm');
  let store: KeyStore | null = null;
  let opening: Promise<KeyStore> | null = null;
  let createdSoPin: string | undefined;
  // What the store was opened with, as a keyed digest that means nothing outside this process.
  const digestKey = randomBytes(32);
  let openedWith: Buffer | null = null;
  const digest = (pin: string) => createHmac('sha256', digestKey).update(pin, 'utf8').digest();

  const status = (): KeyStoreStatus => {
    if (store) {
      return {
        unlocked: true,
        kind: store.info.kind,
        description: store.info.description,
        notForProduction: store.info.notForProduction,
        tokenLabel: store.info.tokenLabel,
        modulePath: store.info.modulePath ?? null,
      };
    }
    const choice = describeStationKeyStoreChoice(dir, options);
    if (choice.kind === 'software') {
      return {
        unlocked: false,
        kind: 'software',
        description: `software — not for production (${choice.reason})`,
        notForProduction: true,
        tokenLabel: 'software',
        modulePath: null,
      };
    }
    return {
      unlocked: false,
      kind: 'pkcs11',
      description:
        choice.kind === 'station-softhsm'
          ? `SoftHSM2 token "${choice.tokenLabel}" in the station's data folder`
          : `PKCS#11 token "${choice.tokenLabel}"${choice.moduleFound ? '' : ' (module missing)'}`,
      notForProduction: false,
      tokenLabel: choice.tokenLabel,
      modulePath: choice.modulePath,
    };
  };

  const open = (pin: string): Promise<KeyStore> => {
    if (store) return Promise.resolve(store);
    opening ??= openStationKeyStore({
      dir,
      pin,
      ...(options.modulePath ? { modulePath: options.modulePath } : {}),
      ...(options.tokenLabel ? { tokenLabel: options.tokenLabel } : {}),
      ...(options.sessions ? { sessions: options.sessions } : {}),
    })
      .then((opened) => {
        store = opened.store;
        openedWith = digest(pin);
        if (opened.soPin !== undefined) {
          createdSoPin = opened.soPin;
          options.onTokenCreated?.(opened.soPin);
        }
        return opened.store;
      })
      .catch((error: unknown) => {
        throw toStationError(error, 'unlock-key-store');
      })
      .finally(() => {
        opening = null;
      });
    return opening;
  };

  return {
    status,
    async unlock(pin) {
      // An open store still checks the PIN: "unlock" must never succeed with a wrong one.
      if (store && openedWith && !timingSafeEqual(openedWith, digest(pin))) {
        throw new StationError('HSM_PIN_INCORRECT', 'The PIN is not the key store PIN.', { step: 'unlock-key-store' });
      }
      await open(pin);
      const soPin = createdSoPin;
      // Handed out once: the next status no longer carries it.
      createdSoPin = undefined;
      return soPin === undefined ? status() : { ...status(), soPin };
    },
    async require(step) {
      if (store) return store;
      if (options.pin !== undefined) return open(options.pin);
      throw new StationError('KEY_STORE_LOCKED', 'The key store is locked: unlock it with its PIN first.', { step });
    },
    async close() {
      const closing = store;
      store = null;
      openedWith = null;
      await closing?.close();
    },
  };
}
