// Runs sandboxed in the renderer's isolated world. It exposes exactly the contract: one call
// function, one event subscription and the batch job file transfers, never ipcRenderer itself.
import { contextBridge, ipcRenderer } from 'electron';
import { ipcChannels, isCallName, type PreloadApi } from './contract';

const sessionArg = (session: unknown) => (typeof session === 'string' ? session : null);

const api: PreloadApi = {
  call(name, input, session) {
    // Unknown names are also refused in main; checking here keeps junk off the channel.
    if (!isCallName(name)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'UNKNOWN_CALL', message: `There is no call named "${String(name)}".` },
      });
    }
    return ipcRenderer.invoke(ipcChannels.call, name, input, sessionArg(session));
  },
  upload(bytes, session) {
    if (!(bytes instanceof Uint8Array)) {
      return Promise.resolve({ ok: false, error: { code: 'INVALID_INPUT', message: 'An upload carries bytes.' } });
    }
    return ipcRenderer.invoke(ipcChannels.upload, bytes, sessionArg(session));
  },
  jobResult(jobId, session, passcode) {
    const args = typeof passcode === 'string' ? [passcode] : [];
    return ipcRenderer.invoke(ipcChannels.jobResult, String(jobId), sessionArg(session), ...args);
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
