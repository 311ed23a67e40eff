/**
 * The nRF91 cellular modem as a provisioning target, over its AT command interface
 * (`AT%CMNG`, `AT%KEYGEN`; see /work/shared/REFERENCES.md "nRF91-style modem credentials").
 *
 * What the modem family can and cannot do, and what this driver does about it:
 * - Credentials live under one sec_tag (constructor option, default 16842753): the client
 *   certificate chain as type 1, trust anchors as type 0, the client key as type 2.
 * - Writes, deletes and key generation are refused while the modem is active, so every step that
 *   changes something sends `AT+CFUN=4` (offline) first. The driver leaves the modem offline.
 * - Every writing step is safe to repeat: an existing (tag, type) is deleted before it is written
 *   again (the simulator answers 519 to a write over an existing one, as some firmwares do).
 * - There is no lock: identity reports lifecycle 'open' always, and `lock()` fails UNSUPPORTED.
 * - There is no challenge-signing command for a `%KEYGEN` key: `proveKeyPossession` answers
 *   `unsupported`. Possession is shown at creation by the CSR's own signature (checked here).
 * - Read-back: `readCredentials` reads the content back (`AT%CMNG=2`), which this driver relies
 *   on; where a firmware refuses the read, `listDigests()` (`AT%CMNG=1`) gives the SHA-256 of
 *   the exact PEM written, to be compared with `cmngDigest(certificatesPem(chain))`.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { ByteLink } from '../../transports/byte-link';
import type {
  DeviceConnection,
  DeviceCredentials,
  DeviceDriver,
  DeviceIdentity,
  DeviceKeyType,
  GeneratedKey,
  PossessionProof,
} from '../device-driver';
import { createAtClient, type AtClient } from './at-client';
import { AtCommandError } from './at-errors';
import {
  CMNG_TYPE,
  certificatesPem,
  parseCmngLine,
  parseKeygenAnswer,
  parsePem,
  pemOf,
  spkiFromCsr,
  spkiFromKeygenPublicKey,
  subjectString,
  type CmngEntry,
} from './at-format';

export const DEFAULT_SEC_TAG = 16842753;

export interface Nrf91AtDriverOptions {
  /** The sec_tag the credentials go to (0–2147483647). */
  secTag?: number;
  /** Per-command timeout for ordinary commands. */
  commandTimeoutMs?: number;
  /** Timeout for `%KEYGEN` (the modem takes seconds on a real part). */
  keygenTimeoutMs?: number;
}

export interface Nrf91AtConnection extends DeviceConnection {
  readonly secTag: number;
  /** What `AT%CMNG=1,<secTag>` lists: (tag, type, SHA-256 of the exact content written, upper-case hex). */
  listDigests(): Promise<CmngEntry[]>;
  /** The functional mode last seen (`AT+CFUN?` at identify, then what this driver set). */
  readonly functionalMode: number | null;
}

const unsupported = (step: string, message: string) => new AtCommandError({ code: 'UNSUPPORTED', message, step });

function requireP256(keyType: DeviceKeyType, step: string): void {
  if (keyType !== 'EC-P256') {
    throw unsupported(step, `${step}: the nRF91 modem only holds EC-P256 client keys, not ${keyType}.`);
  }
}

export interface Nrf91AtDriver extends DeviceDriver {
  connect(link: ByteLink): Promise<Nrf91AtConnection>;
}

export function createNrf91AtDriver(options: Nrf91AtDriverOptions = {}): Nrf91AtDriver {
  const secTag = options.secTag ?? DEFAULT_SEC_TAG;
  if (!Number.isInteger(secTag) || secTag < 0 || secTag > 2147483647) {
    throw new RangeError(`sec_tag must be an integer 0–2147483647, not ${secTag}`);
  }
  return {
    name: 'nrf91-at',
    title: 'nRF91 cellular modem (AT commands)',
    defaultBaudRate: 115200,
    connect(link) {
      const client = createAtClient(link, { timeoutMs: options.commandTimeoutMs ?? 5_000 });
      return Promise.resolve(openConnection(client, secTag, options.keygenTimeoutMs ?? 30_000));
    },
  };
}

function openConnection(client: AtClient, secTag: number, keygenTimeoutMs: number): Nrf91AtConnection {
  let functionalMode: number | null = null;

  const goOffline = async (step: string) => {
    await client.send('AT+CFUN=4', { step });
    functionalMode = 4;
  };

  const list = async (step: string): Promise<CmngEntry[]> => {
    const { lines } = await client.send(`AT%CMNG=1,${secTag}`, { step, prefix: '%CMNG:' });
    return lines
      .map(parseCmngLine)
      .filter((entry): entry is NonNullable<typeof entry> => entry !== null && entry.secTag === secTag)
      .map(({ secTag: tag, type, sha256 }) => ({ secTag: tag, type, sha256 }));
  };

  const deleteIfPresent = async (present: CmngEntry[], type: number, step: string) => {
    if (present.some((entry) => entry.type === type)) await client.send(`AT%CMNG=3,${secTag},${type}`, { step });
  };

  /** Reads one (tag, type) content; null when the modem has none (513). */
  const read = async (type: number, step: string): Promise<string | null> => {
    try {
      const { lines } = await client.send(`AT%CMNG=2,${secTag},${type}`, { step, prefix: '%CMNG:' });
      const entry = lines.map(parseCmngLine).find((e) => e?.type === type);
      if (!entry || entry.content === null) {
        throw new AtCommandError({
          code: 'BAD_RESPONSE',
          message: `${step}: the modem's read answer carried no content`,
          step,
          command: `AT%CMNG=2,${secTag},${type}`,
        });
      }
      return entry.content;
    } catch (error) {
      if (error instanceof AtCommandError && error.code === 'NOT_FOUND') return null;
      if (error instanceof AtCommandError && error.code === 'ERROR') {
        throw new AtCommandError({
          code: 'UNSUPPORTED',
          message: `${step}: this modem firmware cannot read credentials back (AT%CMNG=2 answered ERROR); compare listDigests() with the SHA-256 of the PEM written instead.`,
          step,
          command: error.command,
        });
      }
      throw error;
    }
  };

  const badResponse = (step: string, command: string, why: string) =>
    new AtCommandError({ code: 'BAD_RESPONSE', message: `${step}: ${why}`, step, command });

  const singleLine = async (command: string, step: string): Promise<string> => {
    const { lines } = await client.send(command, { step });
    const line = lines.find((l) => l.trim().length > 0);
    if (line === undefined) throw badResponse(step, command, `the modem answered ${command} with no value`);
    return line.trim();
  };

  return {
    driver: 'nrf91-at',
    secTag,
    get functionalMode() {
      return functionalMode;
    },

    async identify(): Promise<DeviceIdentity> {
      const step = 'identify';
      // AT+CGSN answers the bare IMEI; some firmwares answer `+CGSN: "<imei>"` (AT+CGSN=1 form).
      const imeiLine = await singleLine('AT+CGSN', step);
      const imei = /^(?:\+CGSN:\s*)?"?(\d{14,16})"?$/.exec(imeiLine)?.[1];
      if (!imei) throw badResponse(step, 'AT+CGSN', `"${imeiLine}" is not an IMEI`);
      const firmwareVersion = await singleLine('AT+CGMR', step);
      const { lines } = await client.send('AT+CFUN?', { step, prefix: '+CFUN:' });
      const mode = /^\+CFUN:\s*(\d+)/.exec(lines[0] ?? '')?.[1];
      if (mode === undefined) throw badResponse(step, 'AT+CFUN?', 'no +CFUN: answer');
      functionalMode = Number(mode);
      return {
        serialNumber: imei,
        chipId: null,
        macAddress: null,
        firmwareVersion,
        keyTypes: ['EC-P256'],
        // The modem has no lock: credentials can always be rewritten by whoever holds the port.
        lifecycle: 'open',
        protocol: 'nRF91 AT',
      };
    },

    async generateKey({ keyType, output, subject }): Promise<GeneratedKey> {
      const step = 'generate-key';
      requireP256(keyType, step);
      let subjectText: string | undefined;
      if (subject) {
        try {
          subjectText = subjectString(subject);
        } catch (error) {
          throw unsupported(step, `${step}: ${(error as Error).message}`);
        }
      }
      await goOffline(step);
      await deleteIfPresent(await list(step), CMNG_TYPE.clientPrivateKey, step);
      const format = output === 'csr' ? 0 : 1;
      const command = `AT%KEYGEN=${secTag},${CMNG_TYPE.clientPrivateKey},${format}${subjectText ? `,"${subjectText}"` : ''}`;
      const { lines } = await client.send(command, { step, prefix: '%KEYGEN:', timeoutMs: keygenTimeoutMs });
      const line = lines[0];
      if (!line) throw badResponse(step, command, 'the modem answered OK without a %KEYGEN: line');
      try {
        const answer = parseKeygenAnswer(line);
        if (output === 'csr') return { publicKey: spkiFromCsr(answer.der), csr: answer.der };
        return { publicKey: spkiFromKeygenPublicKey(answer.der), csr: null };
      } catch (error) {
        throw badResponse(step, command, (error as Error).message);
      }
    },

    async writePrivateKey(keyType, pkcs8): Promise<Buffer> {
      const step = 'write-private-key';
      requireP256(keyType, step);
      const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
      if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw unsupported(step, `${step}: the key is not an EC P-256 key`);
      }
      const publicKey = createPublicKey(key).export({ type: 'spki', format: 'der' });
      await goOffline(step);
      await deleteIfPresent(await list(step), CMNG_TYPE.clientPrivateKey, step);
      await client.send(`AT%CMNG=0,${secTag},${CMNG_TYPE.clientPrivateKey},"${pemOf('PRIVATE KEY', pkcs8)}"`, { step });
      return publicKey;
    },

    async writeCredentials({ chain, trustAnchors }): Promise<void> {
      const step = 'write-credentials';
      if (chain.length === 0) {
        throw new AtCommandError({ code: 'INVALID_INPUT', message: `${step}: there is no certificate to write`, step });
      }
      await goOffline(step);
      const present = await list(step);
      await deleteIfPresent(present, CMNG_TYPE.clientCertificate, step);
      await client.send(`AT%CMNG=0,${secTag},${CMNG_TYPE.clientCertificate},"${certificatesPem(chain)}"`, { step });
      if (trustAnchors.length > 0) {
        await deleteIfPresent(present, CMNG_TYPE.rootCa, step);
        await client.send(`AT%CMNG=0,${secTag},${CMNG_TYPE.rootCa},"${certificatesPem(trustAnchors)}"`, { step });
      }
    },

    async readCredentials(): Promise<DeviceCredentials> {
      const step = 'read-credentials';
      const chain = await read(CMNG_TYPE.clientCertificate, step);
      const roots = await read(CMNG_TYPE.rootCa, step);
      return { chain: chain ? parsePem(chain) : [], trustAnchors: roots ? parsePem(roots) : [] };
    },

    listDigests() {
      return list('list-digests');
    },

    proveKeyPossession(): Promise<PossessionProof | { unsupported: string }> {
      return Promise.resolve({
        unsupported:
          'The nRF91 modem has no AT command that signs a challenge with a %KEYGEN client key; possession is shown once, by the CSR the modem signed when it generated the key.',
      });
    },

    lock(): Promise<void> {
      return Promise.reject(
        unsupported(
          'lock',
          'lock: the nRF91 modem has no lock command; its credentials stay writable over AT. Protect the AT interface in the application firmware instead.',
        ),
      );
    },

    async factoryReset(): Promise<void> {
      const step = 'factory-reset';
      await goOffline(step);
      for (const entry of await list(step)) await client.send(`AT%CMNG=3,${secTag},${entry.type}`, { step });
    },

    release() {
      client.release();
    },
  };
}

export const nrf91AtDriver: Nrf91AtDriver = createNrf91AtDriver();
