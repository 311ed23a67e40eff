import { parseArgs } from 'node:util';
import { isServerError } from '../../server/errors';
import { createAdministrator, startServer, type RunningServer } from '../../server/start-server';
import { exitCodes, UsageError } from './output';
import { untilStopped } from './until-stopped';

const defaultPort = 8080;

export const serverUsage = `trustline server [--db postgres://…] [--port N] [--host H]
  (the central server; --db else $TRUSTLINE_SERVER_DB; port ${defaultPort}, host 127.0.0.1 unless given)
trustline server admin [--db postgres://…] --name NAME
  (creates a server administrator with every permission and prints their API token once)
  For a database URL with a password, set $TRUSTLINE_SERVER_DB instead of --db: a password on
  the command line is visible to every user of the machine (ps, /proc).`;

function databaseUrl(flag: string | undefined): string {
  const url = flag ?? process.env.TRUSTLINE_SERVER_DB;
  if (!url)
    throw new UsageError(
      'the central server needs its database: $TRUSTLINE_SERVER_DB (or --db postgres://…, for a URL without a password)',
    );
  return url;
}

/** The server's own failures (a taken name, an unreachable database) are reported plainly, not as crashes. */
function reportFailure(what: string, error: unknown): void {
  if (isServerError(error)) process.stderr.write(`error ${error.code}: ${error.message}\n`);
  else process.stderr.write(`error: ${what}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = exitCodes.stationError;
}

export async function serverCommand(args: string[]): Promise<void> {
  if (args[0] === 'admin') return adminCommand(args.slice(1));
  const { values } = parseArgs({
    args,
    strict: true,
    options: { db: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
  });
  const port = values.port === undefined ? defaultPort : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a number from 0 to 65535, got "${values.port ?? ''}"`);
  }
  const url = databaseUrl(values.db);
  let server: RunningServer;
  try {
    server = await startServer({ databaseUrl: url, port, host: values.host ?? '127.0.0.1' });
  } catch (error) {
    reportFailure('the server could not start', error);
    return;
  }
  process.stdout.write(`Trustline server listening on ${server.url}\n`);
  await untilStopped();
  await server.close();
}

async function adminCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, strict: true, options: { db: { type: 'string' }, name: { type: 'string' } } });
  const name = values.name?.trim();
  if (!name) throw new UsageError('server admin needs --name NAME');
  const url = databaseUrl(values.db);
  try {
    const admin = await createAdministrator(url, name);
    process.stdout.write(`Administrator "${name}" created (user ${admin.userId}).\n`);
    process.stdout.write(`API token: ${admin.token}\n`);
    process.stdout.write('Keep it now: it will not be shown again.\n');
  } catch (error) {
    reportFailure('the administrator was not created', error);
  }
}
