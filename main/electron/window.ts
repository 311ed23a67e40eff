import type { BrowserWindow as BrowserWindowType, Session } from 'electron';
import { contentSecurityPolicy } from '../core/bridge/content-security-policy';

type BrowserWindowCtor = typeof BrowserWindowType;

/**
 * The station window: sandboxed, isolated, no Node, our preload only, and nowhere to go but
 * its own page.
 */
export function createStationWindow(
  BrowserWindow: BrowserWindowCtor,
  paths: { preload: string; indexHtml: string },
): BrowserWindowType {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 1024,
    minHeight: 700,
    title: 'Trustline',
    show: false,
    webPreferences: {
      preload: paths.preload,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  void win.loadFile(paths.indexHtml);
  return win;
}

/** Headers every response in the app's session gets: the CSP, and no permission prompts. */
export function hardenSession(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy()] },
    });
  });
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
}
