import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrowserWindow, Session } from 'electron';
import { createStationWindow, hardenSession } from '../../main/electron/window';

type Listener = (event: { preventDefault(): void }) => void;

/** Records what the shell asks of Electron; Electron's binary cannot run on our machines. */
class FakeBrowserWindow {
  static last: FakeBrowserWindow | null = null;
  readonly options: Electron.BrowserWindowConstructorOptions;
  readonly listeners = new Map<string, Listener>();
  openHandler: (() => { action: string }) | null = null;
  loaded: string | null = null;
  webContents = {
    setWindowOpenHandler: (handler: () => { action: string }) => {
      this.openHandler = handler;
    },
    on: (name: string, listener: Listener) => {
      this.listeners.set(name, listener);
    },
  };

  constructor(options: Electron.BrowserWindowConstructorOptions) {
    this.options = options;
    FakeBrowserWindow.last = this;
  }
  once() {}
  loadFile(file: string) {
    this.loaded = file;
    return Promise.resolve();
  }
}

describe('Electron station window', () => {
  it('is sandboxed and isolated, without Node, and loads our own page with our preload', () => {
    createStationWindow(FakeBrowserWindow as unknown as typeof BrowserWindow, {
      preload: '/app/dist/preload/preload.cjs',
      indexHtml: '/app/dist/renderer/index.html',
    });
    const win = FakeBrowserWindow.last;
    assert.ok(win);
    const prefs = win.options.webPreferences ?? {};
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInWorker, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.preload, '/app/dist/preload/preload.cjs');
    assert.equal(win.loaded, '/app/dist/renderer/index.html');
  });

  it('blocks navigation, new windows and webviews', () => {
    createStationWindow(FakeBrowserWindow as unknown as typeof BrowserWindow, { preload: 'p', indexHtml: 'i' });
    const win = FakeBrowserWindow.last;
    assert.deepEqual(win?.openHandler?.(), { action: 'deny' });
    for (const name of ['will-navigate', 'will-attach-webview']) {
      let prevented = false;
      win?.listeners.get(name)?.({ preventDefault: () => (prevented = true) });
      assert.equal(prevented, true, name);
    }
  });

  it('adds a strict CSP to every response and refuses permission requests', () => {
    let onHeaders:
      ((details: { responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void) | null = null;
    let onPermission: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | null = null;
    const session = {
      webRequest: { onHeadersReceived: (listener: typeof onHeaders) => (onHeaders = listener) },
      setPermissionRequestHandler: (handler: typeof onPermission) => (onPermission = handler),
    };
    hardenSession(session as unknown as Session);
    let headers: { responseHeaders: Record<string, string[]> } | null = null;
    onHeaders!({ responseHeaders: { 'x-a': ['1'] } }, (r) => (headers = r as typeof headers));
    const csp = headers!.responseHeaders['Content-Security-Policy']?.[0] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    let granted: boolean | null = null;
    onPermission!({}, 'media', (g) => (granted = g));
    assert.equal(granted, false);
  });
});
