import type { KeyObject } from 'node:crypto';
import type { JobOptions } from '../../../preload/contract';
import { StationError } from '../errors/station-error';
import { checkRecipient, envelope } from '../pki/cms-enveloped-data';
import { pemOrDer } from '../pki/pem';
import { pkcs12 } from '../pki/pkcs12';
import type { KeySealer } from './job-runner';

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
 * certificate and chain under the passcode. The clear PKCS#8 bytes are wiped once sealed.
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
      seal: (privateKey: KeyObject, certificate: Buffer, name: string) =>
        pkcs12({ privateKey, certificate, chain: secrets.chain, passcode, friendlyName: name }),
    };
  }
  const recipient = jobRecipient(options);
  return {
    seal: (privateKey: KeyObject) => {
      const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      const clear = Buffer.from(pkcs8, 'utf8');
      try {
        return envelope(clear, recipient);
      } finally {
        clear.fill(0);
      }
    },
  };
}
