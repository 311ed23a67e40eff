import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startLoopbackBridge } from '../core/bridge/loopback-bridge';
import { keyStoreOptionsFromEnv } from '../core/keys/key-store-session';
import { syncOptionsFromEnv } from '../core/sync/sync-service';
import { authOptionsFromEnv } from '../core/users/auth-service';
import { openStation } from '../core/station';
import { resolveDataDir } from '../core/store/data-dir';
import { reportTokenCreated } from './local-station';
import { UsageError } from './output';

export const serveUsage = 'trustline serve [--data DIR] [--port N] [--renderer DIR]';

/** The built renderer sits beside the CLI bundle (dist/renderer next to dist/cli.js). */
function defaultRendererDir(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'renderer'), path.resolve(here, '../../dist/renderer')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
}

export async function serveCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      data: { type: 'string' },
      port: { type: 'string' },
      renderer: { type: 'string' },
    },
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a number from 0 to 65535, got "${values.port ?? ''}"`);
  }
  const rendererDir = values.renderer ?? defaultRendererDir();
  if (!rendererDir) {
    throw new UsageError('The renderer is not built: run `npm run build`, or pass --renderer DIR.');
  }
  const dataDir = resolveDataDir({ flag: values.data });
  const station = openStation(dataDir, {
    keyStore: { ...keyStoreOptionsFromEnv(), onTokenCreated: reportTokenCreated },
    auth: authOptionsFromEnv(),
    sync: syncOptionsFromEnv(),
  });
  const bridge = await startLoopbackBridge({
    dispatch: station.dispatch,
    hub: station.hub,
    authenticate: (credentials) => station.auth.contextFor(credentials),
    jobs: {
      stage: (body, maxBytes) => station.jobs.stageStream(body, maxBytes),
      writeResult: (id, out, ctx, begin, options) => station.jobs.writeResult(id, out, ctx, begin, options),
    },
    rendererDir,
    port,
  });
  process.stdout.write(`Trustline station serving data in ${dataDir}\n`);
  const keys = station.keys.status();
  process.stdout.write(`Key store: ${keys.description}${keys.unlocked ? '' : ' (locked until its PIN is given)'}\n`);
  if (station.auth.setupRequired()) {
    process.stdout.write('No administrator yet: the page asks for the first Solution administrator.\n');
  }
  station.sync.start();
  const sync = station.sync.status();
  process.stdout.write(
    sync.serverUrl
      ? `Central server: ${sync.serverUrl} (${sync.queueLength} records queued)\n`
      : 'Central server: not enrolled (trustline sync enrol); records are kept and queued meanwhile.\n',
  );
  process.stdout.write(`Open ${bridge.url}\n`);
  const stop = () => {
    void bridge.close().finally(() => {
      void station.close().finally(() => process.exit(0));
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
