// Runs sandboxed in the renderer's isolated world. It exposes exactly the contract: one call
// function and one event subscription, never ipcRenderer itself.
import { contextBridge, ipcRenderer } from 'electron';
import { ipcChannels, isCallName, type PreloadApi } from './contract';

const api: PreloadApi = {
  call(name, input, session) {
    // Unknown names are also refused in main; checking here keeps junk off the channel.
    if (!isCallName(name)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'UNKNOWN_CALL', message: `There is no call named "${String(name)}".` },
      });
    }
    return ipcRenderer.invoke(ipcChannels.call, name, input, typeof session === 'string' ? session : null);
  },
  on(listener) {
    const forward = (_event: unknown, envelope: unknown) => listener(envelope);
    ipcRenderer.on(ipcChannels.event, forward);
    return () => {
      ipcRenderer.removeListener(ipcChannels.event, forward);
    };
  },
};

contextBridge.exposeInMainWorld('trustline', api);
