import { readFileSync } from 'node:fs';
import { UsageError } from './output';

/** Where a secret for a new or changed credential may come from, besides its file. */
export const secretEnv = {
  password: 'TRUSTLINE_NEW_PASSWORD',
  pin: 'TRUSTLINE_NEW_PIN',
} as const;

/**
 * The first line of a file holding a password, PIN or badge. Secrets never come from an argument:
 * arguments show in `ps` and in shell history. `--password-file /dev/stdin` reads a pipe.
 */
export function readSecretFile(flag: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read the file given to ${flag}: ${file}`);
  }
  const secret = text.split(/\r?\n/)[0] ?? '';
  if (secret === '') throw new UsageError(`the file given to ${flag} (${file}) has an empty first line`);
  return secret;
}

/**
 * A secret from its file when the flag is given, else from the environment variable when that is
 * set and not empty, else undefined. The station checks its length and form (INVALID_INPUT).
 */
export function secretFromFileOrEnv(flag: string, file: string | undefined, envName?: string): string | undefined {
  if (file !== undefined) return readSecretFile(flag, file);
  if (envName === undefined) return undefined;
  const fromEnv = process.env[envName];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}
