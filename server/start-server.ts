import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { migrate } from './db/migrate';
import { createPool, type PoolTimeouts } from './db/pool';
import { createRequestHandler } from './http/handler';
import { routeTable } from './routes/table';

export { createAdministrator } from './users/create-administrator';

export interface StartServerOptions {
  databaseUrl: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Lock and statement timeouts of the database connections; defaults 10 s and 60 s. */
  timeouts?: PoolTimeouts;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts one instance. It keeps nothing between requests but the connection pool: any number of
 * instances on one database answer as one.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const pool = createPool(options.databaseUrl, options.timeouts);
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const server = createServer(createRequestHandler(pool, routeTable));
  // Pushes can be large and slow to arrive over a site's link; the default 5 s keep-alive is too eager.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // A client holding a connection open must not hold the shutdown: requests in flight get a grace period.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
      await pool.end();
    },
  };
}
