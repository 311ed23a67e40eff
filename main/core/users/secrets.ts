import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { apiTokenPrefix } from '../../../preload/contract';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  length: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

// OWASP's scrypt floor (N=2^17 would be its first choice, but a shift signs in by PIN many
// times an hour on a small station PC): 0.1 to 0.3 s per check on our 2-core machines, run on
// libuv's thread pool so the line's ports never wait for a sign-in.
const cost = { log2N: 15, r: 8, p: 1 } as const;
const keyLength = 32;

function params(log2N: number, r: number, p: number) {
  return { N: 2 ** log2N, r, p, maxmem: 128 * 2 ** log2N * r * 2 };
}

/** "scrypt$log2N$r$p$salt$hash", so a later cost change can still check older hashes. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret.normalize('NFC'), salt, keyLength, params(cost.log2N, cost.r, cost.p));
  return ['scrypt', cost.log2N, cost.r, cost.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, log2N, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !log2N || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(
    secret.normalize('NFC'),
    Buffer.from(salt, 'base64'),
    expected.length,
    params(Number(log2N), Number(r), Number(p)),
  );
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

let decoy: Promise<string> | null = null;

/** Spends a real check's time when no user matched, so a wrong username answers as slowly as a wrong password. */
export async function verifyDecoy(secret: string): Promise<void> {
  decoy ??= hashSecret(randomBytes(16).toString('hex'));
  await verifySecret(secret, await decoy);
}

/** Badges and token secrets are looked up by value, so they are stored as a plain digest. */
export function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function newTokenSecret(): string {
  return `${apiTokenPrefix}${randomBytes(32).toString('base64url')}`;
}

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}
