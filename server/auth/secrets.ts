import { createHash, randomBytes } from 'node:crypto';
import { secretPrefixes } from '../../sync-protocol';

export type SecretKind = keyof typeof secretPrefixes;

/** A bearer secret: its prefix says what it is, 32 random bytes make it unguessable. */
export function newSecret(kind: SecretKind): string {
  return `${secretPrefixes[kind]}${randomBytes(32).toString('base64url')}`;
}

/**
 * Only this digest is stored. A plain SHA-256 is enough: the secret is 256 random bits, so there
 * is nothing for a slow hash to protect against, and lookups stay an index probe.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** What lists show so people can tell tokens apart without the secret: the prefix and 8 characters. */
export const displayPrefix = (secret: string): string => secret.slice(0, 12);
