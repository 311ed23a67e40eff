import { StationError } from '../errors/station-error';

const block = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]*?)\r?\n?-----END \1-----/g;

export interface PemBlock {
  label: string;
  der: Buffer;
}

/**
 * Every PEM block in `text`, in order. Only whitespace may stand between and around blocks:
 * trailing junk is refused, not ignored, because a station that silently drops part of what it
 * was given cannot be trusted with the rest.
 */
export function readPemBlocks(text: string, what: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let last = 0;
  for (const match of text.matchAll(block)) {
    if (text.slice(last, match.index).trim() !== '') throw junk(what);
    const body = (match[2] ?? '').replace(/\s+/g, '');
    if (body.length === 0 || body.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
      throw new StationError('PEM_INVALID', `The ${what} has a PEM block whose base64 is damaged.`, {
        step: 'read-pem',
      });
    }
    blocks.push({ label: match[1] ?? '', der: Buffer.from(body, 'base64') });
    last = (match.index ?? 0) + match[0].length;
  }
  if (text.slice(last).trim() !== '') throw junk(what);
  if (blocks.length === 0) {
    throw new StationError('PEM_INVALID', `The ${what} is not PEM: no -----BEGIN …----- block found.`, {
      step: 'read-pem',
    });
  }
  return blocks;
}

function junk(what: string): StationError {
  return new StationError('PEM_INVALID', `The ${what} has text outside its PEM blocks; remove it and try again.`, {
    step: 'read-pem',
  });
}

/** Exactly one block with one of the expected labels. */
export function readSinglePem(text: string, labels: readonly string[], what: string): Buffer {
  const blocks = readPemBlocks(text, what);
  const [first] = blocks;
  if (blocks.length !== 1 || !first) {
    throw new StationError('PEM_INVALID', `The ${what} must hold exactly one PEM block, found ${blocks.length}.`, {
      step: 'read-pem',
    });
  }
  if (!labels.includes(first.label)) {
    throw new StationError('PEM_INVALID', `The ${what} is a ${first.label}, expected ${labels.join(' or ')}.`, {
      step: 'read-pem',
    });
  }
  return first.der;
}

/** Accepts PEM text or raw DER bytes (a CSR file may be either). */
export function pemOrDer(bytes: Buffer, labels: readonly string[], what: string): Buffer {
  const head = bytes.subarray(0, 64).toString('latin1').trimStart();
  if (head.startsWith('-----BEGIN')) return readSinglePem(bytes.toString('latin1'), labels, what);
  return bytes;
}

export function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
