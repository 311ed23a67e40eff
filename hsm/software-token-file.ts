import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-file';
import { KeyStoreError, keyAlgorithms } from './key-store';
import type { KeyAlgorithm } from './key-store';

/**
 * The software token's file: public keys in clear, each private key as PKCS#8 DER sealed with
 * AES-256-GCM under a key derived from the PIN with scrypt. A sealed known value checks the PIN,
 * so a wrong PIN is reported as such instead of surfacing as a corrupt key.
 */
export interface SealedBox {
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

export interface StoredKey {
  readonly id: string;
  readonly label: string;
  readonly algorithm: KeyAlgorithm;
  /** DER SubjectPublicKeyInfo, base64. */
  readonly publicKey: string;
  /** PKCS#8 DER, sealed. */
  readonly privateKey: SealedBox;
}

export interface TokenFile {
  readonly format: 'trustline-software-token';
  readonly version: 1;
  readonly kdf: {
    readonly name: 'scrypt';
    readonly salt: string;
    readonly N: number;
    readonly r: number;
    readonly p: number;
  };
  readonly pinCheck: SealedBox;
  readonly keys: readonly StoredKey[];
}

const format = 'trustline-software-token';
const pinCheckValue = Buffer.from('trustline software token PIN check v1', 'utf8');
// 2^15 × 8 × 128 bytes = 32 MiB and ~100 ms: costly to guess, cheap to open once.
const scryptCost = { N: 2 ** 15, r: 8, p: 1 } as const;

function corrupt(file: string, why: string): KeyStoreError {
  return new KeyStoreError('HSM_FAILURE', `software token ${file} is unreadable: ${why}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSealedBox(value: unknown): value is SealedBox {
  return (
    isRecord(value) && typeof value.iv === 'string' && typeof value.tag === 'string' && typeof value.data === 'string'
  );
}

function isStoredKey(value: unknown): value is StoredKey {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    /^[0-9a-f]{32}$/u.test(value.id) &&
    typeof value.label === 'string' &&
    typeof value.algorithm === 'string' &&
    (keyAlgorithms as readonly string[]).includes(value.algorithm) &&
    typeof value.publicKey === 'string' &&
    isSealedBox(value.privateKey)
  );
}

function parseTokenFile(file: string, text: string): TokenFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw corrupt(file, 'not JSON');
  }
  if (!isRecord(parsed) || parsed.format !== format) throw corrupt(file, 'not a Trustline software token');
  if (parsed.version !== 1) throw corrupt(file, `unsupported version ${String(parsed.version)}`);
  const { kdf, pinCheck, keys } = parsed;
  if (
    !isRecord(kdf) ||
    kdf.name !== 'scrypt' ||
    typeof kdf.salt !== 'string' ||
    typeof kdf.N !== 'number' ||
    typeof kdf.r !== 'number' ||
    typeof kdf.p !== 'number'
  ) {
    throw corrupt(file, 'bad key-derivation parameters');
  }
  if (!isSealedBox(pinCheck)) throw corrupt(file, 'no PIN check value');
  if (!Array.isArray(keys) || !keys.every(isStoredKey)) throw corrupt(file, 'bad key entry');
  return {
    format,
    version: 1,
    kdf: { name: 'scrypt', salt: kdf.salt, N: kdf.N, r: kdf.r, p: kdf.p },
    pinCheck,
    keys,
  };
}

export function deriveKey(pin: string, kdf: TokenFile['kdf']): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const salt = Buffer.from(kdf.salt, 'base64');
    const maxmem = 256 * kdf.N * kdf.r * kdf.p;
    scrypt(pin.normalize('NFC'), salt, 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

export function seal(key: Buffer, plaintext: Buffer, context: string): SealedBox {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  // Bound to what it is (which key id, which algorithm): entries cannot be swapped around in the file.
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** Null when the box does not open under `key` (wrong PIN, or tampered). */
export function unseal(key: Buffer, box: SealedBox, context: string): Buffer | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(box.iv, 'base64'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(box.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(box.data, 'base64')), decipher.final()]);
  } catch {
    return null;
  }
}

export function keyContext(key: { id: string; algorithm: KeyAlgorithm }): string {
  return `${format}:key:${key.id}:${key.algorithm}`;
}

const pinCheckContext = `${format}:pin-check`;

/** Opens the file with `pin`, or creates it (no keys yet) when it does not exist. */
export async function openTokenFile(
  file: string,
  pin: string,
): Promise<{ token: TokenFile; key: Buffer; created: boolean }> {
  let text: string | null = null;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw corrupt(file, (error as Error).message);
  }
  if (text === null) {
    const kdf = { name: 'scrypt', salt: randomBytes(16).toString('base64'), ...scryptCost } as const;
    const key = await deriveKey(pin, kdf);
    const token: TokenFile = { format, version: 1, kdf, pinCheck: seal(key, pinCheckValue, pinCheckContext), keys: [] };
    await writeTokenFile(file, token);
    return { token, key, created: true };
  }
  const token = parseTokenFile(file, text);
  const key = await deriveKey(pin, token.kdf);
  const check = unseal(key, token.pinCheck, pinCheckContext);
  if (!check || !check.equals(pinCheckValue)) {
    throw new KeyStoreError('HSM_PIN_INCORRECT', `the PIN does not open software token ${file}`);
  }
  return { token, key, created: false };
}

export function writeTokenFile(file: string, token: TokenFile): Promise<void> {
  return writeFileAtomic(file, `${JSON.stringify(token, null, 2)}\n`, 0o600);
}
