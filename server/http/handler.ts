import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pool } from 'pg';
import { authorize } from '../auth/authorize';
import { bearerOf, resolvePrincipal, type Principal } from '../auth/principal';
import { ServerError } from '../errors';
import type { Route } from '../routes/route';
import { parseJson, readBody } from './body';
import { sendError, sendJson } from './respond';
import { createRouter } from './router';

/** Every request goes the same way: match, authenticate, authorize, read, validate, handle. */
export function createRequestHandler(pool: Pool, routes: readonly Route[]) {
  const match = createRouter(routes);
  return (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://server');
      const found = match(req.method ?? 'GET', url.pathname);
      if (!found) throw new ServerError('NOT_FOUND', `No route for ${req.method ?? ''} ${url.pathname}.`);
      const { route, params } = found;
      let principal: Principal | null = null;
      if (route.access !== 'public') {
        principal = await resolvePrincipal(pool, bearerOf(req.headers));
        await authorize(pool, route, principal);
      }
      // Only after the caller is known is a (possibly large) body read at all.
      const body = route.body ? parseJson(await readBody(req)) : undefined;
      const result = await route.run({
        principal,
        params,
        body,
        query: Object.fromEntries(url.searchParams),
        db: pool,
      });
      sendJson(res, route.status, result);
    })().catch((error: unknown) => {
      // Whatever the client still sends is drained so the error answer reaches it.
      if (!req.complete) req.resume();
      sendError(res, error, `${req.method ?? ''} ${req.url ?? ''}`);
    });
  };
}
