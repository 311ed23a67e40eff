import type { Pool } from 'pg';
import { z } from 'zod';
import { ServerError } from '../errors';
import { openApiDocument } from '../openapi';
import { defineRoute, type Route } from './route';

async function databaseAnswers(db: Pool): Promise<boolean> {
  try {
    await db.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}

export const healthRoute = defineRoute({
  method: 'GET',
  path: '/healthz',
  access: 'public',
  summary: 'Liveness for load balancers: 200 when the database answers, 503 UNAVAILABLE when it does not.',
  response: z.strictObject({ status: z.literal('ok') }),
  handle: async ({ db }) => {
    if (!(await databaseAnswers(db))) throw new ServerError('UNAVAILABLE', 'The database does not answer.');
    return { status: 'ok' as const };
  },
});

/** Takes the table lazily: the document describes the table it is itself part of. */
export const openApiRoute = (table: () => readonly Route[]) =>
  defineRoute({
    method: 'GET',
    path: '/openapi.json',
    access: 'public',
    summary: 'This OpenAPI 3.1 document.',
    response: z.record(z.string(), z.unknown()),
    handle: async () => openApiDocument(table()),
  });
