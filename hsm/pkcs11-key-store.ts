import { createPublicKey, randomBytes } from 'node:crypto';
import path from 'node:path';
import pkcs11js from 'pkcs11js';
import { unwrapOctetString } from './der';
import { ecdsaRawToDer } from './ecdsa-signature';
import { KeyStoreError, keyAlgorithms } from './key-store';
import type { KeyAlgorithm, KeyRef, KeyStore, KeyStoreInfo, SignatureScheme } from './key-store';
import { ckrOf, toKeyStoreError } from './pkcs11-errors';
import { acquireModule, loginUser, releaseModule, sessionClosed, sessionOpened } from './pkcs11-module-registry';
import type { LoadedModule } from './pkcs11-module-registry';
import { findTokenSlot } from './pkcs11-slots';
import { curveParams, ecSpki, ed25519Params, ed25519Spki, rsaSpki } from './public-key-info';
import { SessionPool } from './session-pool';
import { SignWorkers } from './sign-workers';
import { assertSchemeFits, digest, digestInfo, hashLength, hashOf } from './signature-schemes';

export { listPkcs11Slots } from './pkcs11-slots';
export type { Pkcs11SlotSummary, Pkcs11TokenSummary } from './pkcs11-slots';

// PKCS#11 3.0 values pkcs11js 2.1.7 (a 2.40 binding) has no names for.
const CKK_EC_EDWARDS = 0x40;
const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;
const CKM_EDDSA = 0x1057;

const rsaPublicExponent = Buffer.from([0x01, 0x00, 0x01]);
const defaultSessions = 2;
const maxSessions = 64;

export interface Pkcs11KeyStoreOptions {
  readonly modulePath: string;
  readonly tokenLabel: string;
  readonly pin: string;
  /** Signing sessions, each with its own worker thread: how many signatures run at once. Default 2. */
  readonly sessions?: number;
  /**
   * The SOFTHSM2_CONF this store needs (the station's own SoftHSM2). SoftHSM2 reads it once, at
   * C_Initialize: if the module already runs in this process with another one, HSM_MODULE_IN_USE.
   */
  readonly softHsmConfig?: string;
}

type Handle = Buffer;

interface KnownKey {
  readonly ref: KeyRef;
  readonly handle: Handle;
}

function keyGenMechanism(algorithm: KeyAlgorithm): number {
  if (algorithm === 'Ed25519') return CKM_EC_EDWARDS_KEY_PAIR_GEN;
  if (algorithm.startsWith('EC-')) return pkcs11js.CKM_EC_KEY_PAIR_GEN;
  return pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN;
}

function signMechanism(scheme: SignatureScheme): number {
  if (scheme === 'Ed25519') return CKM_EDDSA;
  if (scheme.startsWith('ECDSA-')) return pkcs11js.CKM_ECDSA;
  if (scheme.startsWith('RSA-PSS-')) return pkcs11js.CKM_RSA_PKCS_PSS;
  return pkcs11js.CKM_RSA_PKCS;
}

const mechanismNames: ReadonlyMap<number, string> = new Map([
  [CKM_EC_EDWARDS_KEY_PAIR_GEN, 'CKM_EC_EDWARDS_KEY_PAIR_GEN'],
  [CKM_EDDSA, 'CKM_EDDSA'],
  [pkcs11js.CKM_EC_KEY_PAIR_GEN, 'CKM_EC_KEY_PAIR_GEN'],
  [pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN, 'CKM_RSA_PKCS_KEY_PAIR_GEN'],
  [pkcs11js.CKM_ECDSA, 'CKM_ECDSA'],
  [pkcs11js.CKM_RSA_PKCS_PSS, 'CKM_RSA_PKCS_PSS'],
  [pkcs11js.CKM_RSA_PKCS, 'CKM_RSA_PKCS'],
]);

/** The attributes that pin down the key type and size; the rest of the templates is shared. */
function algorithmAttributes(algorithm: KeyAlgorithm): { keyType: number; public: pkcs11js.Template } {
  switch (algorithm) {
    case 'EC-P256':
    case 'EC-P384':
      return { keyType: pkcs11js.CKK_EC, public: [{ type: pkcs11js.CKA_EC_PARAMS, value: curveParams[algorithm] }] };
    case 'Ed25519':
      return { keyType: CKK_EC_EDWARDS, public: [{ type: pkcs11js.CKA_EC_PARAMS, value: ed25519Params }] };
    case 'RSA-2048':
    case 'RSA-3072':
    case 'RSA-4096':
      return {
        keyType: pkcs11js.CKK_RSA,
        public: [
          { type: pkcs11js.CKA_MODULUS_BITS, value: Number(algorithm.slice('RSA-'.length)) },
          { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: rsaPublicExponent },
        ],
      };
  }
}

/** CK_ULONG attribute values come back as native-endian buffers. */
function ulong(value: Buffer): number {
  if (value.length >= 8) return Number(value.readBigUInt64LE(0));
  return value.readUIntLE(0, Math.min(value.length, 6));
}

/** Public point sizes: uncompressed 04 || X || Y for the NIST curves, the raw 32 bytes for Ed25519. */
const pointLength = { 'EC-P256': 65, 'EC-P384': 97, Ed25519: 32 } as const;

const printableEdwards25519 = Buffer.concat([Buffer.from([0x13, 12]), Buffer.from('edwards25519', 'ascii')]);

function algorithmOf(keyType: number, ecParams: Buffer | null, modulus: Buffer | null): KeyAlgorithm | null {
  if (keyType === pkcs11js.CKK_EC && ecParams) {
    if (ecParams.equals(curveParams['EC-P256'])) return 'EC-P256';
    if (ecParams.equals(curveParams['EC-P384'])) return 'EC-P384';
    return null;
  }
  if (keyType === CKK_EC_EDWARDS && ecParams) {
    return ecParams.equals(ed25519Params) || ecParams.equals(printableEdwards25519) ? 'Ed25519' : null;
  }
  if (keyType === pkcs11js.CKK_RSA && modulus) {
    let start = 0;
    while (start < modulus.length && modulus[start] === 0) start += 1;
    const bits = (modulus.length - start) * 8;
    const algorithm = `RSA-${bits}`;
    return (keyAlgorithms as readonly string[]).includes(algorithm) ? (algorithm as KeyAlgorithm) : null;
  }
  return null;
}

function findObjects(pkcs11: pkcs11js.PKCS11, session: Handle, template: pkcs11js.Template): Handle[] {
  pkcs11.C_FindObjectsInit(session, template);
  try {
    const found: Handle[] = [];
    for (;;) {
      const batch = pkcs11.C_FindObjects(session, 64);
      if (batch.length === 0) return found;
      found.push(...batch);
    }
  } finally {
    pkcs11.C_FindObjectsFinal(session);
  }
}

function attribute(pkcs11: pkcs11js.PKCS11, session: Handle, object: Handle, type: number): Buffer {
  const [result] = pkcs11.C_GetAttributeValue(session, object, [{ type }]);
  if (!result)
    throw new KeyStoreError('HSM_FAILURE', `the module returned no value for attribute 0x${type.toString(16)}`);
  return result.value;
}

function isStaleHandle(error: unknown): boolean {
  const ckr = ckrOf(error);
  return ckr === 'CKR_OBJECT_HANDLE_INVALID' || ckr === 'CKR_KEY_HANDLE_INVALID';
}

class Pkcs11KeyStore implements KeyStore {
  readonly info: KeyStoreInfo;
  private readonly pool: SessionPool<Handle>;
  private readonly signers: SignWorkers;
  private readonly known = new Map<string, KnownKey>();
  private readonly spkiById = new Map<string, Buffer>();
  private closing: Promise<void> | null = null;

  constructor(
    private readonly module: LoadedModule,
    private readonly slot: Handle,
    private readonly sessions: readonly Handle[],
    signingSessions: number,
    private readonly mechanisms: ReadonlySet<number>,
    info: KeyStoreInfo,
  ) {
    this.info = info;
    // The first session serves lookups and key generation; the others each belong to a signing worker.
    this.pool = new SessionPool(sessions.slice(0, 1));
    this.signers = new SignWorkers(module.modulePath, sessions.slice(1, 1 + signingSessions));
  }

  private get pkcs11(): pkcs11js.PKCS11 {
    return this.module.pkcs11;
  }

  private requireMechanism(mechanism: number, purpose: string): void {
    if (!this.mechanisms.has(mechanism)) {
      const name = mechanismNames.get(mechanism) ?? `0x${mechanism.toString(16)}`;
      throw new KeyStoreError(
        'HSM_MECHANISM_UNSUPPORTED',
        `token "${this.info.tokenLabel}" does not offer ${name}, needed for ${purpose}`,
      );
    }
  }

  private assertOpen(): void {
    if (this.closing) throw new KeyStoreError('HSM_FAILURE', 'the key store is closed');
  }

  async generateKeyPair(label: string, algorithm: KeyAlgorithm): Promise<KeyRef> {
    this.assertOpen();
    if (!keyAlgorithms.includes(algorithm)) {
      throw new KeyStoreError('HSM_MECHANISM_UNSUPPORTED', `unknown key algorithm ${String(algorithm)}`);
    }
    this.requireMechanism(keyGenMechanism(algorithm), `${algorithm} keys`);
    if (label.length === 0) throw new KeyStoreError('HSM_FAILURE', 'a key needs a label');
    // A second key under the same label would make every later lookup by label ambiguous.
    if ((await this.findPrivateKeys({ label })).length > 0) {
      throw new KeyStoreError(
        'HSM_KEY_AMBIGUOUS',
        `token "${this.info.tokenLabel}" already has a key labelled "${label}"`,
      );
    }

    const id = randomBytes(16);
    const { keyType, public: publicAttributes } = algorithmAttributes(algorithm);
    const common: pkcs11js.Template = [
      { type: pkcs11js.CKA_KEY_TYPE, value: keyType },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_ID, value: id },
      { type: pkcs11js.CKA_LABEL, value: label },
    ];
    const publicTemplate: pkcs11js.Template = [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
      ...common,
      { type: pkcs11js.CKA_PRIVATE, value: false },
      { type: pkcs11js.CKA_VERIFY, value: true },
      // A CA key signs and does nothing else (SoftHSM2 would otherwise allow encrypt and wrap).
      { type: pkcs11js.CKA_ENCRYPT, value: false },
      { type: pkcs11js.CKA_WRAP, value: false },
      ...publicAttributes,
    ];
    const privateTemplate: pkcs11js.Template = [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
      ...common,
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false },
      { type: pkcs11js.CKA_SIGN, value: true },
      { type: pkcs11js.CKA_DECRYPT, value: false },
      { type: pkcs11js.CKA_UNWRAP, value: false },
      { type: pkcs11js.CKA_DERIVE, value: false },
    ];

    const pair = await this.pool
      .use((session) =>
        // Async: RSA-4096 takes seconds, and it runs on libuv's pool instead of blocking the station.
        this.pkcs11.C_GenerateKeyPairAsync(
          session,
          { mechanism: keyGenMechanism(algorithm) },
          publicTemplate,
          privateTemplate,
        ),
      )
      .catch((error: unknown) => {
        throw toKeyStoreError(error, `generating ${algorithm} key "${label}"`);
      });

    const ref: KeyRef = { id: id.toString('hex'), label, algorithm };
    this.known.set(ref.id, { ref, handle: pair.privateKey });
    return ref;
  }

  async findKey(query: { id?: string; label?: string }): Promise<KeyRef | null> {
    this.assertOpen();
    if (query.id === undefined && query.label === undefined) {
      throw new KeyStoreError('HSM_KEY_NOT_FOUND', 'findKey needs an id or a label');
    }
    const found = await this.findPrivateKeys(query);
    if (found.length > 1) {
      const what = query.label !== undefined ? `label "${query.label}"` : `id ${query.id ?? ''}`;
      throw new KeyStoreError(
        'HSM_KEY_AMBIGUOUS',
        `${found.length} keys on token "${this.info.tokenLabel}" match ${what}`,
      );
    }
    const [key] = found;
    return key ? key.ref : null;
  }

  async listKeys(): Promise<KeyRef[]> {
    this.assertOpen();
    return (await this.findPrivateKeys({})).map((key) => key.ref);
  }

  async getPublicKey(key: KeyRef): Promise<Buffer> {
    this.assertOpen();
    const cached = this.spkiById.get(key.id);
    if (cached) return Buffer.from(cached);
    const known = await this.resolve(key);
    const spki = await this.pool
      .use((session) => this.readSpki(session, known))
      .catch((error: unknown) => {
        throw toKeyStoreError(error, `reading the public key of "${key.label}"`);
      });
    try {
      createPublicKey({ key: spki, format: 'der', type: 'spki' });
    } catch (error) {
      throw new KeyStoreError('HSM_FAILURE', `the public key of "${key.label}" does not parse as SPKI`, {
        cause: error,
      });
    }
    this.spkiById.set(key.id, spki);
    return Buffer.from(spki);
  }

  async isProtected(key: KeyRef): Promise<boolean> {
    this.assertOpen();
    const known = await this.resolve(key);
    return this.pool
      .use((session) => {
        // CK_BBOOL is one byte; anything but exactly "sensitive and not extractable" is unprotected.
        const sensitive = attribute(this.pkcs11, session, known.handle, pkcs11js.CKA_SENSITIVE)[0] === 1;
        const extractable = attribute(this.pkcs11, session, known.handle, pkcs11js.CKA_EXTRACTABLE)[0] !== 0;
        return sensitive && !extractable;
      })
      .catch((error: unknown) => {
        throw toKeyStoreError(error, `reading the protection of "${key.label}"`);
      });
  }

  async sign(key: KeyRef, scheme: SignatureScheme, data: Buffer): Promise<Buffer> {
    this.assertOpen();
    assertSchemeFits(key, scheme);
    const mechanism = signMechanism(scheme);
    this.requireMechanism(mechanism, `${scheme} signatures`);

    const hash = hashOf(scheme);
    let input: Buffer;
    let parameters: pkcs11js.Mechanism;
    if (hash === null) {
      input = data;
      parameters = { mechanism };
    } else if (scheme.startsWith('ECDSA-')) {
      // SoftHSM2 has only raw CKM_ECDSA (no CKM_ECDSA_SHA384), so the hash is made here.
      input = digest(hash, data);
      parameters = { mechanism };
    } else if (scheme.startsWith('RSA-PSS-')) {
      input = digest(hash, data);
      const pss: pkcs11js.RsaPSS = {
        type: pkcs11js.CK_PARAMS_RSA_PSS,
        hashAlg: hash === 'sha384' ? pkcs11js.CKM_SHA384 : pkcs11js.CKM_SHA256,
        mgf: hash === 'sha384' ? pkcs11js.CKG_MGF1_SHA384 : pkcs11js.CKG_MGF1_SHA256,
        saltLen: hashLength(hash),
      };
      parameters = { mechanism, parameter: pss };
    } else {
      input = digestInfo(hash, digest(hash, data));
      parameters = { mechanism };
    }

    const signOnce = async (): Promise<Buffer> => {
      const known = await this.resolve(key);
      assertSchemeFits(known.ref, scheme);
      return this.signers.sign(known.handle, parameters, input);
    };

    let raw: Buffer;
    try {
      raw = await signOnce();
    } catch (error) {
      if (!isStaleHandle(error)) throw toKeyStoreError(error, `signing with "${key.label}" (${scheme})`);
      // The object was replaced behind our back (another process re-created it): look it up again once.
      this.known.delete(key.id);
      raw = await signOnce().catch((retryError: unknown) => {
        throw toKeyStoreError(retryError, `signing with "${key.label}" (${scheme})`);
      });
    }
    return scheme.startsWith('ECDSA-') ? ecdsaRawToDer(raw) : raw;
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    await this.signers.close();
    await this.pool.drain();
    for (const session of this.sessions) {
      try {
        this.pkcs11.C_CloseSession(session);
      } catch {
        // Already gone (token removed, module failed): nothing left to release on it.
      }
      sessionClosed(this.module, this.slot);
    }
    releaseModule(this.module);
  }

  /** The private key behind `key`, by CKA_ID, cached by id once found. */
  private async resolve(key: KeyRef): Promise<KnownKey> {
    const cached = this.known.get(key.id);
    if (cached) return cached;
    const [found, second] = await this.findPrivateKeys({ id: key.id });
    if (!found) {
      throw new KeyStoreError(
        'HSM_KEY_NOT_FOUND',
        `no key with id ${key.id} ("${key.label}") on token "${this.info.tokenLabel}"`,
      );
    }
    if (second) {
      throw new KeyStoreError('HSM_KEY_AMBIGUOUS', `several keys with id ${key.id} on token "${this.info.tokenLabel}"`);
    }
    return found;
  }

  private async findPrivateKeys(query: { id?: string; label?: string }): Promise<KnownKey[]> {
    if (query.id !== undefined && !/^(?:[0-9a-f]{2})+$/iu.test(query.id)) return [];
    const template: pkcs11js.Template = [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }];
    if (query.id !== undefined) template.push({ type: pkcs11js.CKA_ID, value: Buffer.from(query.id, 'hex') });
    if (query.label !== undefined) template.push({ type: pkcs11js.CKA_LABEL, value: query.label });
    const keys = await this.pool
      .use((session) =>
        findObjects(this.pkcs11, session, template)
          .map((handle) => this.describe(session, handle))
          .filter((key): key is KnownKey => key !== null),
      )
      .catch((error: unknown) => {
        throw toKeyStoreError(error, `looking up keys on token "${this.info.tokenLabel}"`);
      });
    for (const key of keys) this.known.set(key.ref.id, key);
    return keys;
  }

  /** A private key object as a KeyRef; null for keys of a type or size the station does not use. */
  private describe(session: Handle, handle: Handle): KnownKey | null {
    const pkcs11 = this.pkcs11;
    const [id, label, keyType] = pkcs11.C_GetAttributeValue(session, handle, [
      { type: pkcs11js.CKA_ID },
      { type: pkcs11js.CKA_LABEL },
      { type: pkcs11js.CKA_KEY_TYPE },
    ]);
    if (!id || !label || !keyType) return null;
    const type = ulong(keyType.value);
    const isEc = type === pkcs11js.CKK_EC || type === CKK_EC_EDWARDS;
    const ecParams = isEc ? attribute(pkcs11, session, handle, pkcs11js.CKA_EC_PARAMS) : null;
    const modulus = type === pkcs11js.CKK_RSA ? attribute(pkcs11, session, handle, pkcs11js.CKA_MODULUS) : null;
    const algorithm = algorithmOf(type, ecParams, modulus);
    if (algorithm === null) return null;
    return { ref: { id: id.value.toString('hex'), label: label.value.toString('utf8'), algorithm }, handle };
  }

  private readSpki(session: Handle, key: KnownKey): Buffer {
    const pkcs11 = this.pkcs11;
    const [publicKey] = findObjects(pkcs11, session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
      { type: pkcs11js.CKA_ID, value: Buffer.from(key.ref.id, 'hex') },
    ]);
    const { algorithm } = key.ref;
    if (algorithm.startsWith('RSA-')) {
      // RSA private key objects carry the public half too: some HSMs keep no public object.
      const source = publicKey ?? key.handle;
      return rsaSpki(
        attribute(pkcs11, session, source, pkcs11js.CKA_MODULUS),
        attribute(pkcs11, session, source, pkcs11js.CKA_PUBLIC_EXPONENT),
      );
    }
    if (!publicKey) {
      throw new KeyStoreError('HSM_KEY_NOT_FOUND', `key "${key.ref.label}" has no public key object on the token`);
    }
    // PKCS#11 wants CKA_EC_POINT as a DER OCTET STRING (SoftHSM2 does so); a few modules return it bare.
    const value = attribute(pkcs11, session, publicKey, pkcs11js.CKA_EC_POINT);
    const expected = pointLength[algorithm as keyof typeof pointLength];
    // Length decides, not the first byte: a bare point can start like an OCTET STRING header.
    const point = value.length === expected ? value : unwrapOctetString(value);
    if (point.length !== expected) {
      throw new KeyStoreError(
        'HSM_FAILURE',
        `key "${key.ref.label}": CKA_EC_POINT of unexpected length ${value.length}`,
      );
    }
    if (algorithm === 'Ed25519') return ed25519Spki(point);
    return ecSpki(curveParams[algorithm as 'EC-P256' | 'EC-P384'], point);
  }
}

/**
 * Opens the token labelled `tokenLabel` in the PKCS#11 module at `modulePath` and logs in with
 * `pin`. Never initialises a token: a token that is not there is HSM_TOKEN_NOT_FOUND.
 */
export async function openPkcs11KeyStore(options: Pkcs11KeyStoreOptions): Promise<KeyStore> {
  const sessionCount = options.sessions ?? defaultSessions;
  if (!Number.isInteger(sessionCount) || sessionCount < 1 || sessionCount > maxSessions) {
    throw new KeyStoreError(
      'HSM_FAILURE',
      `sessions must be a whole number from 1 to ${maxSessions}, got ${sessionCount}`,
    );
  }
  const module = acquireModule(
    options.modulePath,
    options.softHsmConfig !== undefined ? { softHsmConfig: options.softHsmConfig } : {},
  );
  const { pkcs11 } = module;
  const opened: Handle[] = [];
  let slot: Handle | null = null;
  try {
    const tokenSlot = findTokenSlot(pkcs11, options.tokenLabel);
    slot = tokenSlot.slot;
    const mechanisms = new Set(pkcs11.C_GetMechanismList(slot));
    // One more than the signing sessions: lookups and key generation never wait behind signatures.
    for (let i = 0; i < sessionCount + 1; i += 1) {
      opened.push(pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION));
      sessionOpened(module, slot);
    }
    const [first] = opened;
    if (!first) throw new KeyStoreError('HSM_FAILURE', 'no session could be opened');
    // One login covers every session of this process on the token.
    loginUser(module, slot, first, options.pin);
    const { token } = tokenSlot;
    return new Pkcs11KeyStore(module, slot, opened, sessionCount, mechanisms, {
      kind: 'pkcs11',
      description: `${token.model || token.manufacturer || 'PKCS#11'} token ${token.label}`,
      notForProduction: false,
      modulePath: path.resolve(options.modulePath),
      tokenLabel: token.label,
    });
  } catch (error) {
    for (const session of opened) {
      try {
        pkcs11.C_CloseSession(session);
      } catch {
        // Best effort: the error below is the one worth reporting.
      }
      if (slot) sessionClosed(module, slot);
    }
    releaseModule(module);
    throw toKeyStoreError(error, `opening token "${options.tokenLabel}" in ${options.modulePath}`);
  }
}
