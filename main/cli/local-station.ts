import os from 'node:os';
import type { CallContext } from '../core/api/call-context';
import { keyStoreOptionsFromEnv, type KeyStoreOptions } from '../core/keys/key-store-session';
import { openStation, type Station } from '../core/station';
import { resolveDataDir } from '../core/store/data-dir';
import { UsageError } from './output';
import { readSecretFile } from './password-input';

/** Options every data command takes. */
export const dataOptions = {
  data: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** Options of commands that use the key store. */
export const keyStoreFlags = {
  'pin-file': { type: 'string' },
} as const;

/**
 * The key store's PIN comes from a file (`--pin-file`, first line) or TRUSTLINE_HSM_PIN, never
 * from an argument: arguments show in `ps` and in shell history.
 */
export function keyStoreOptions(pinFile: string | undefined): KeyStoreOptions {
  const options = { ...keyStoreOptionsFromEnv(), onTokenCreated: reportTokenCreated };
  return pinFile === undefined ? options : { ...options, pin: readSecretFile('--pin-file', pinFile) };
}

/** Whichever command creates the station's token says so, with the SO PIN, exactly once. */
export function reportTokenCreated(soPin: string): void {
  process.stderr.write(
    `Created the station's key store token. Its security officer PIN is ${soPin}\n` +
      'Keep it safe now: the station does not store it, and it is the only way to reset the user PIN.\n',
  );
}

/**
 * Who runs a command: the API token in TRUSTLINE_TOKEN, else TRUSTLINE_USER with
 * TRUSTLINE_PASSWORD (checked like a sign-in, lockout included). With neither, a station that
 * has no user yet is being set up by whoever sits at its console, who may do everything; once the
 * first administrator exists, such a caller may make only the public calls (the dispatcher refuses
 * the rest with UNAUTHENTICATED).
 */
export async function commandLineContext(station: Station, env: NodeJS.ProcessEnv = process.env): Promise<CallContext> {
  const token = env.TRUSTLINE_TOKEN;
  if (token) return station.auth.tokenContext(token.trim());
  const user = env.TRUSTLINE_USER;
  if (user) {
    const password = env.TRUSTLINE_PASSWORD;
    if (!password) throw new UsageError('TRUSTLINE_USER is set but TRUSTLINE_PASSWORD is not');
    return station.auth.passwordContext(user, password);
  }
  return station.auth.setupContext(`local:${os.userInfo().username}`) ?? station.auth.sessionContext(null);
}

/** Opens the station on the chosen data folder for one command, and always closes it. */
export async function withLocalStation<T>(
  dataFlag: string | undefined,
  run: (station: Station, ctx: CallContext) => T | Promise<T>,
  options: { keyStore?: KeyStoreOptions } = {},
): Promise<T> {
  const station = openStation(resolveDataDir({ flag: dataFlag }), {
    keyStore: options.keyStore ?? { ...keyStoreOptionsFromEnv(), onTokenCreated: reportTokenCreated },
  });
  try {
    return await run(station, await commandLineContext(station));
  } finally {
    await station.close();
  }
}
