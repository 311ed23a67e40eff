import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  randomBytes,
  sign as signAsync,
  constants,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import path from 'node:path';
import { KeyStoreError, keyAlgorithms } from './key-store';
import type { KeyAlgorithm, KeyRef, KeyStore, KeyStoreInfo, SignatureScheme } from './key-store';
import { assertSchemeFits, hashLength, hashOf } from './signature-schemes';
import { keyContext, openTokenFile, seal, unseal, writeTokenFile } from './software-token-file';
import type { StoredKey, TokenFile } from './software-token-file';

export interface SoftwareKeyStoreOptions {
  /** The token file; created (with no keys) when absent. */
  readonly file: string;
  readonly pin: string;
  /** What info.tokenLabel says; defaults to the file's name. */
  readonly tokenLabel?: string;
}

interface LoadedKey {
  readonly ref: KeyRef;
  readonly privateKey: KeyObject;
  readonly spki: Buffer;
}

function newKeyPair(algorithm: KeyAlgorithm): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, publicKey: KeyObject, privateKey: KeyObject): void => {
      if (error) reject(error);
      else resolve({ publicKey, privateKey });
    };
    switch (algorithm) {
      case 'EC-P256':
      case 'EC-P384':
        generateKeyPair('ec', { namedCurve: algorithm === 'EC-P256' ? 'P-256' : 'P-384' }, done);
        return;
      case 'Ed25519':
        generateKeyPair('ed25519', {}, done);
        return;
      case 'RSA-2048':
      case 'RSA-3072':
      case 'RSA-4096':
        generateKeyPair('rsa', { modulusLength: Number(algorithm.slice('RSA-'.length)), publicExponent: 65537 }, done);
        return;
    }
  });
}

function signWith(privateKey: KeyObject, scheme: SignatureScheme, data: Buffer): Promise<Buffer> {
  const hash = hashOf(scheme);
  const key = scheme.startsWith('RSA-PSS-')
    ? {
        key: privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: hash === null ? 0 : hashLength(hash),
      }
    : scheme.startsWith('RSA-PKCS1-')
      ? { key: privateKey, padding: constants.RSA_PKCS1_PADDING }
      : // ECDSA: DER ECDSA-Sig-Value, the same as the PKCS#11 store returns.
        { key: privateKey, dsaEncoding: 'der' as const };
  return new Promise((resolve, reject) => {
    // The callback form runs on libuv's thread pool, as the PKCS#11 store's signing does.
    signAsync(hash, data, key, (error, signature) => {
      if (error) reject(error);
      else resolve(signature);
    });
  });
}

/**
 * A software token for demos and development without SoftHSM2: keys live in memory as
 * KeyObjects and on disk sealed under the PIN. Labelled not-for-production everywhere it shows.
 */
class SoftwareKeyStore implements KeyStore {
  readonly info: KeyStoreInfo;
  private readonly keys: LoadedKey[];
  private token: TokenFile;
  /** Saves run one after another, each writing the whole file with every key so far. */
  private saving: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly sealingKey: Buffer,
    token: TokenFile,
    keys: LoadedKey[],
    tokenLabel: string,
  ) {
    this.token = token;
    this.keys = keys;
    this.info = { kind: 'software', description: 'software — not for production', notForProduction: true, tokenLabel };
  }

  private assertOpen(): void {
    if (this.closed) throw new KeyStoreError('HSM_FAILURE', 'the key store is closed');
  }

  async generateKeyPair(label: string, algorithm: KeyAlgorithm): Promise<KeyRef> {
    this.assertOpen();
    if (!keyAlgorithms.includes(algorithm)) {
      throw new KeyStoreError('HSM_MECHANISM_UNSUPPORTED', `unknown key algorithm ${String(algorithm)}`);
    }
    if (label.length === 0) throw new KeyStoreError('HSM_FAILURE', 'a key needs a label');
    if (this.keys.some((key) => key.ref.label === label)) {
      throw new KeyStoreError('HSM_KEY_AMBIGUOUS', `the software token already has a key labelled "${label}"`);
    }
    const pair = await newKeyPair(algorithm);
    const ref: KeyRef = { id: randomBytes(16).toString('hex'), label, algorithm };
    const spki = pair.publicKey.export({ format: 'der', type: 'spki' });
    const pkcs8 = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
    const stored: StoredKey = {
      ...ref,
      publicKey: spki.toString('base64'),
      privateKey: seal(this.sealingKey, pkcs8, keyContext(ref)),
    };
    pkcs8.fill(0);
    this.keys.push({ ref, privateKey: pair.privateKey, spki });
    this.token = { ...this.token, keys: [...this.token.keys, stored] };
    const snapshot = this.token;
    const save = this.saving.then(() => writeTokenFile(this.file, snapshot));
    this.saving = save.catch(() => undefined);
    try {
      await save;
    } catch (error) {
      throw new KeyStoreError(
        'HSM_FAILURE',
        `could not save software token ${this.file}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    return ref;
  }

  async findKey(query: { id?: string; label?: string }): Promise<KeyRef | null> {
    this.assertOpen();
    if (query.id === undefined && query.label === undefined) {
      throw new KeyStoreError('HSM_KEY_NOT_FOUND', 'findKey needs an id or a label');
    }
    const matches = this.keys.filter(
      (key) =>
        (query.id === undefined || key.ref.id === query.id.toLowerCase()) &&
        (query.label === undefined || key.ref.label === query.label),
    );
    if (matches.length > 1) {
      throw new KeyStoreError('HSM_KEY_AMBIGUOUS', `${matches.length} keys on the software token match`);
    }
    return matches[0]?.ref ?? null;
  }

  async listKeys(): Promise<KeyRef[]> {
    this.assertOpen();
    return this.keys.map((key) => key.ref);
  }

  async getPublicKey(key: KeyRef): Promise<Buffer> {
    this.assertOpen();
    return Buffer.from(this.lookUp(key).spki);
  }

  /** The demo token never hands its keys out, but it is software: that is what its label says. */
  async isProtected(key: KeyRef): Promise<boolean> {
    this.assertOpen();
    this.lookUp(key);
    return true;
  }

  async sign(key: KeyRef, scheme: SignatureScheme, data: Buffer): Promise<Buffer> {
    this.assertOpen();
    assertSchemeFits(key, scheme);
    const loaded = this.lookUp(key);
    assertSchemeFits(loaded.ref, scheme);
    try {
      return await signWith(loaded.privateKey, scheme, data);
    } catch (error) {
      throw new KeyStoreError('HSM_FAILURE', `signing with "${key.label}" (${scheme}): ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.saving;
    this.sealingKey.fill(0);
  }

  private lookUp(key: KeyRef): LoadedKey {
    const loaded = this.keys.find((candidate) => candidate.ref.id === key.id);
    if (!loaded)
      throw new KeyStoreError('HSM_KEY_NOT_FOUND', `no key with id ${key.id} ("${key.label}") on the software token`);
    return loaded;
  }
}

/** Opens (creating when absent) the software token at `file`; a wrong PIN is HSM_PIN_INCORRECT. */
export async function openSoftwareKeyStore(options: SoftwareKeyStoreOptions): Promise<KeyStore> {
  if (options.pin.length === 0) throw new KeyStoreError('HSM_PIN_INCORRECT', 'the software token needs a PIN');
  const file = path.resolve(options.file);
  const { token, key } = await openTokenFile(file, options.pin);
  const keys = token.keys.map((stored): LoadedKey => {
    const pkcs8 = unseal(key, stored.privateKey, keyContext(stored));
    if (!pkcs8) {
      throw new KeyStoreError(
        'HSM_FAILURE',
        `software token ${file}: key "${stored.label}" does not decrypt (file altered?)`,
      );
    }
    const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    pkcs8.fill(0);
    const spki = Buffer.from(stored.publicKey, 'base64');
    // The public half in the file must belong to the private half: a swapped SPKI would mislead verifiers.
    const derived = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    if (!derived.equals(spki)) {
      throw new KeyStoreError(
        'HSM_FAILURE',
        `software token ${file}: the public key of "${stored.label}" does not match`,
      );
    }
    return { ref: { id: stored.id, label: stored.label, algorithm: stored.algorithm }, privateKey, spki };
  });
  return new SoftwareKeyStore(file, key, token, keys, options.tokenLabel ?? path.basename(file, '.json'));
}
