import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import pkcs11js from 'pkcs11js';
import { KeyStoreError } from './key-store';
import { toKeyStoreError } from './pkcs11-errors';

/**
 * One loaded, initialised PKCS#11 module per process and path. C_Initialize is process-wide for
 * a module (a second one fails with CKR_CRYPTOKI_ALREADY_INITIALIZED, and C_Finalize would pull
 * the module out from under every other user), so every key store and slot listing borrows from
 * here and the last one to let go finalises it.
 */
export interface LoadedModule {
  readonly pkcs11: pkcs11js.PKCS11;
  /** The resolved path of the library, the registry key. */
  readonly modulePath: string;
  /** SOFTHSM2_CONF as it was when the module initialised (SoftHSM2 reads it only then). */
  readonly softHsmConfig: string | undefined;
}

interface Entry extends LoadedModule {
  references: number;
  /** Per token (slot hex): how many of our sessions are open, and a keyed digest of the PIN they logged in with. */
  readonly logins: Map<string, { sessions: number; pinDigest: Buffer | null }>;
}

const modules = new Map<string, Entry>();

// Keyed per process so the digests in memory are useless outside it; never persisted.
const pinDigestKey = randomBytes(32);

function pinDigest(pin: string): Buffer {
  return createHmac('sha256', pinDigestKey).update(pin, 'utf8').digest();
}

function resolveModulePath(modulePath: string): string {
  const absolute = path.resolve(modulePath);
  if (!existsSync(absolute)) {
    throw new KeyStoreError('HSM_MODULE_NOT_FOUND', `PKCS#11 module not found: ${absolute}`);
  }
  return realpathSync(absolute);
}

function sameConfig(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return path.resolve(a) === path.resolve(b);
}

/**
 * Borrows the module at `modulePath`, loading and initialising it on first use. `softHsmConfig`,
 * when given, is the SOFTHSM2_CONF the caller needs; asking for another one than the module
 * already runs with is HSM_MODULE_IN_USE, because SoftHSM2 cannot switch without a C_Finalize.
 */
export function acquireModule(modulePath: string, options: { softHsmConfig?: string } = {}): LoadedModule {
  const resolved = resolveModulePath(modulePath);
  const existing = modules.get(resolved);
  if (existing) {
    if (options.softHsmConfig !== undefined && !sameConfig(existing.softHsmConfig, options.softHsmConfig)) {
      throw new KeyStoreError(
        'HSM_MODULE_IN_USE',
        `PKCS#11 module ${resolved} is already in use in this process with SOFTHSM2_CONF=${existing.softHsmConfig ?? '(unset)'}; ` +
          `it cannot also use ${options.softHsmConfig} until every key store on it is closed`,
      );
    }
    existing.references += 1;
    return existing;
  }

  const pkcs11 = new pkcs11js.PKCS11();
  try {
    pkcs11.load(resolved);
  } catch (error) {
    throw new KeyStoreError(
      'HSM_MODULE_NOT_FOUND',
      `${resolved} could not be loaded as a PKCS#11 module: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }

  const previousConfig = process.env.SOFTHSM2_CONF;
  if (options.softHsmConfig !== undefined) process.env.SOFTHSM2_CONF = path.resolve(options.softHsmConfig);
  const softHsmConfig = process.env.SOFTHSM2_CONF;
  try {
    // OS locking: sessions sign concurrently from libuv's thread pool, and without this flag
    // SoftHSM2 (given NULL init args) assumes a single thread and drops its own locks.
    pkcs11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (error) {
    pkcs11.close();
    throw toKeyStoreError(error, `initialising PKCS#11 module ${resolved}`);
  } finally {
    // The module has read it; keep the environment of child processes as the caller set it.
    if (options.softHsmConfig !== undefined) {
      if (previousConfig === undefined) delete process.env.SOFTHSM2_CONF;
      else process.env.SOFTHSM2_CONF = previousConfig;
    }
  }

  const entry: Entry = { pkcs11, modulePath: resolved, softHsmConfig, references: 1, logins: new Map() };
  modules.set(resolved, entry);
  return entry;
}

/** Returns a borrowed module; the last return finalises and unloads it. */
export function releaseModule(module: LoadedModule): void {
  const entry = modules.get(module.modulePath);
  if (!entry || entry !== module) return;
  entry.references -= 1;
  if (entry.references > 0) return;
  modules.delete(entry.modulePath);
  try {
    entry.pkcs11.C_Finalize();
  } finally {
    entry.pkcs11.close();
  }
}

function loginEntry(module: LoadedModule, slot: Buffer): { sessions: number; pinDigest: Buffer | null } {
  const entry = modules.get(module.modulePath);
  if (!entry) throw new KeyStoreError('HSM_FAILURE', `PKCS#11 module ${module.modulePath} is not loaded`);
  const key = slot.toString('hex');
  let login = entry.logins.get(key);
  if (!login) {
    login = { sessions: 0, pinDigest: null };
    entry.logins.set(key, login);
  }
  return login;
}

/** Counts a session we opened on `slot`: PKCS#11 keeps a token's login while any session of the process is open. */
export function sessionOpened(module: LoadedModule, slot: Buffer): void {
  loginEntry(module, slot).sessions += 1;
}

export function sessionClosed(module: LoadedModule, slot: Buffer): void {
  const login = loginEntry(module, slot);
  login.sessions = Math.max(0, login.sessions - 1);
  if (login.sessions === 0) login.pinDigest = null;
}

/**
 * Logs the user in on `session`. When the token is already logged in (another key store of this
 * process has sessions on it), the module answers CKR_USER_ALREADY_LOGGED_IN without looking at
 * the PIN, so the PIN is checked against the one that logged in, else a wrong PIN would pass.
 */
export function loginUser(module: LoadedModule, slot: Buffer, session: Buffer, pin: string): void {
  const login = loginEntry(module, slot);
  try {
    module.pkcs11.C_Login(session, pkcs11js.CKU_USER, pin);
    login.pinDigest = pinDigest(pin);
    return;
  } catch (error) {
    const wrapped = toKeyStoreError(error, 'logging in to the token');
    if (wrapped.ckr !== 'CKR_USER_ALREADY_LOGGED_IN') throw wrapped;
  }
  if (login.pinDigest !== null && !timingSafeEqual(login.pinDigest, pinDigest(pin))) {
    throw new KeyStoreError('HSM_PIN_INCORRECT', 'logging in to the token: CKR_PIN_INCORRECT', {
      ckr: 'CKR_PIN_INCORRECT',
    });
  }
}
