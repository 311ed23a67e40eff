import type { JobOptions } from '../../../preload/contract';
import { StationError } from '../errors/station-error';
import { checkRecipient } from '../pki/cms-enveloped-data';
import { pemOrDer } from '../pki/pem';
import { pkcs12 } from '../pki/pkcs12';
import { type KeySealer, stationKeyPair } from './job-runner';
import { createStationKeyPool } from './station-key-pool';

/** The file extension of a sealed key in the result, by delivery. */
export const sealedKeyExtension = { cms: 'p7m', pkcs12: 'p12' } as const;

/** The recipient certificate of a CMS job, checked before any row runs (and before the job is accepted). */
export function jobRecipient(options: JobOptions) {
  if (options.recipientPem === undefined) {
    throw new StationError('RECIPIENT_UNUSABLE', 'The job has no recipient certificate.', { step: 'check-recipient' });
  }
  let der: Buffer;
  try {
    der = pemOrDer(Buffer.from(options.recipientPem, 'utf8'), ['CERTIFICATE'], 'recipient certificate');
  } catch (error) {
    throw new StationError('RECIPIENT_UNUSABLE', 'The recipient is not a PEM certificate.', {
      step: 'check-recipient',
      cause: error,
    });
  }
  return checkRecipient(der);
}

/**
 * How a station-made private key leaves the station: as PKCS#8 PEM inside CMS EnvelopedData for
 * the recipient (what `openssl cms -decrypt` gives back), or inside a PKCS#12 with its
 * certificate and chain under the passcode. The clear PKCS#8 bytes are wiped once sealed (for
 * CMS on the worker thread that made the key: see station-key-pool).
 */
export function createKeySealer(options: JobOptions, secrets: { passcode?: string; chain: Buffer[] }): KeySealer {
  if (options.delivery === 'pkcs12') {
    const passcode = secrets.passcode;
    if (passcode === undefined) {
      throw new StationError('INVALID_INPUT', 'A PKCS#12 job needs its passcode to run or resume.', {
        step: 'start-job',
      });
    }
    return {
      async newKey(type, name) {
        const { publicKey, privateKey } = await stationKeyPair(type);
        return {
          publicKey: publicKey.export({ type: 'spki', format: 'der' }),
          seal: (certificate: Buffer) =>
            pkcs12({ privateKey, certificate, chain: secrets.chain, passcode, friendlyName: name }),
        };
      },
      close: () => Promise.resolve(),
    };
  }
  // CMS needs no certificate: each key is made and sealed on a worker thread ahead of its row,
  // and only its public half and the sealed bytes reach this thread.
  const pool = createStationKeyPool(options.stationKeyType, jobRecipient(options));
  return {
    async newKey() {
      const { publicKey, sealed } = await pool.next();
      return { publicKey, seal: () => sealed };
    },
    close: () => pool.close(),
  };
}
