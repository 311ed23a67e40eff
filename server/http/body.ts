import type { IncomingMessage } from 'node:http';
import { maxRequestBytes } from '../../sync-protocol';
import { ServerError } from '../errors';

const tooLarge = () =>
  new ServerError('PAYLOAD_TOO_LARGE', `The request body is larger than ${maxRequestBytes} bytes.`, {
    maxBytes: maxRequestBytes,
  });

/**
 * A body over the limit is refused before any of it is parsed. The rest of it is still read and
 * dropped (up to a bound) so that the client, which is usually still sending, receives the 413
 * instead of a reset connection.
 */
export function readBody(req: IncomingMessage, limit = maxRequestBytes): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number(req.headers['content-length'] ?? 0) > limit;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (over) {
        chunks.length = 0;
        if (size > limit * 4) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => (over ? reject(tooLarge()) : resolve(Buffer.concat(chunks, size))));
    req.on('close', () => {
      if (!req.complete) reject(over ? tooLarge() : new ServerError('BAD_REQUEST', 'The request body was cut short.'));
    });
    req.on('error', reject);
  });
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ServerError('BAD_REQUEST', 'The request body is not valid JSON.');
  }
}
