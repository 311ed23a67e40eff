// The Electron entry: a thin shell around the same core `trustline serve` runs. Only files in
// main/electron may import 'electron'.
import { app, BrowserWindow, ipcMain, session } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ipcChannels } from '../../preload/contract';
import { keyStoreOptionsFromEnv } from '../core/keys/key-store-session';
import { syncOptionsFromEnv } from '../core/sync/sync-service';
import { authOptionsFromEnv } from '../core/users/auth-service';
import { openStation } from '../core/station';
import { resolveDataDir } from '../core/store/data-dir';
import { isAppPageUrl, registerIpcAdapter } from './ipc-adapter';
import { createStationWindow, hardenSession } from './window';

const here = path.dirname(fileURLToPath(import.meta.url));
const indexHtml = path.join(here, '..', 'renderer', 'index.html');
const preload = path.join(here, '..', 'preload', 'preload.cjs');
const indexUrl = pathToFileURL(indexHtml).href;

function dataFlag(argv: string[]): string | undefined {
  const at = argv.indexOf('--data');
  return at >= 0 ? argv[at + 1] : undefined;
}

app.enableSandbox();

void app.whenReady().then(() => {
  const station = openStation(resolveDataDir({ flag: dataFlag(process.argv) }), {
    keyStore: keyStoreOptionsFromEnv(),
    auth: authOptionsFromEnv(),
    sync: syncOptionsFromEnv(),
  });
  station.sync.start();
  hardenSession(session.defaultSession);
  registerIpcAdapter(ipcMain, {
    dispatch: station.dispatch,
    context: (session) => station.auth.contextFor({ session }),
    isTrustedUrl: (url) => isAppPageUrl(url, indexUrl),
    jobs: station.jobs,
  });
  // Any web contents, not only our window's, may neither navigate away nor open windows.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (navigation) => navigation.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  const win = createStationWindow(BrowserWindow, { preload, indexHtml });
  const unsubscribe = station.hub.subscribe((envelope) => {
    if (!win.isDestroyed()) win.webContents.send(ipcChannels.event, envelope);
  });
  app.on('window-all-closed', () => {
    unsubscribe();
    void station.close();
    app.quit();
  });
});
