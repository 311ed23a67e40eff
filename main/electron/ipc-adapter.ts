import { ipcChannels } from '../../preload/contract';
import type { CallContext } from '../core/api/call-context';
import type { Dispatch } from '../core/api/dispatcher';

/**
 * The slice of Electron's ipcMain and event objects the adapter uses. Typed structurally so the
 * adapter runs (and is tested) in plain Node with a fake ipcMain.
 */
export interface IpcEventLike {
  senderFrame: { url: string; parent: unknown } | null;
}
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface IpcAdapterOptions {
  dispatch: Dispatch;
  /** Who the call is from: the session the renderer signed in with, if any. */
  context: (session: string | null) => CallContext;
  /** Whether a frame URL is our own renderer (file:// of the packaged index.html). */
  isTrustedUrl: (url: string) => boolean;
}

/**
 * One channel carries every call; the dispatcher decides whether the name exists. Like
 * VS Code's main-process IPC, a message from anything but our own top-level page is refused
 * before it reaches the core.
 */
export function registerIpcAdapter(ipcMain: IpcMainLike, options: IpcAdapterOptions): () => void {
  ipcMain.handle(ipcChannels.call, async (event, name, input, session) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null || !options.isTrustedUrl(frame.url)) {
      return {
        ok: false,
        error: { code: 'FORBIDDEN_ORIGIN', message: 'Calls are accepted only from the station window.' },
      };
    }
    return options.dispatch(name, input, options.context(typeof session === 'string' ? session : null));
  });
  return () => ipcMain.removeHandler(ipcChannels.call);
}

/**
 * Whether a frame's URL is the packaged index.html itself: same file, any fragment, no query.
 * Other file:// pages, http(s) pages and look-alike paths are refused.
 */
export function isAppPageUrl(url: string, indexUrl: string): boolean {
  return url.split('#')[0] === indexUrl;
}
