import type { ServerResponse } from 'node:http';
import { ServerError } from '../errors';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** Anything that is not a ServerError is a bug: logged in full, answered as INTERNAL without its insides. */
export function sendError(res: ServerResponse, error: unknown, where: string): void {
  const known = toServerError(error);
  if (known.code === 'INTERNAL') {
    console.error(
      `trustline server: ${where}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, known.status, known.toBody());
}

/** PostgreSQL's own codes for the few database failures a caller can cause or should retry. */
function toServerError(error: unknown): ServerError {
  if (error instanceof ServerError) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === '23505') return new ServerError('CONFLICT', 'That name or ID is already taken.');
  if (code === '40001' || code === '40P01') {
    return new ServerError('UNAVAILABLE', 'The request collided with another one; retry it.');
  }
  // Text the database cannot store is the caller's to fix: retrying it would fail the same way forever.
  if (code === '22P05' || code === '22021') {
    return new ServerError(
      'BAD_REQUEST',
      'The request contains text the database cannot store (a NUL character \\u0000 or an invalid character sequence).',
    );
  }
  if (code === '22P02') return new ServerError('BAD_REQUEST', 'The request contains a value in an invalid format.');
  // A lock held too long (another push of the same station) or a statement run too long: retry later.
  if (code === '55P03' || code === '57014') {
    return new ServerError('UNAVAILABLE', 'The server is busy with a conflicting request; retry it.');
  }
  if (code.startsWith('08') || code === '57P01' || code === '3D000' || code === 'ECONNREFUSED') {
    return new ServerError('UNAVAILABLE', 'The database is not reachable.');
  }
  return new ServerError('INTERNAL', 'The server failed to handle this request.');
}
