import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import { build } from 'esbuild';
import { ipcChannels } from '../../preload/contract';

/**
 * Bundles the preload exactly as `npm run build` does and runs it the way Electron's sandbox
 * would: a `require` that knows only 'electron'. Anything else it needed would throw here.
 */
async function loadPreload() {
  const result = await build({
    entryPoints: ['preload/electron.preload.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
    write: false,
  });
  const code = result.outputFiles[0]?.text ?? '';
  const exposed = new Map<string, unknown>();
  const invoked: unknown[][] = [];
  const ipcListeners = new Map<string, (...args: unknown[]) => void>();
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
    ipcRenderer: {
      invoke: (...args: unknown[]) => {
        invoked.push(args);
        return Promise.resolve({ ok: true, value: [] });
      },
      on: (channel: string, listener: (...args: unknown[]) => void) => ipcListeners.set(channel, listener),
      removeListener: (channel: string) => ipcListeners.delete(channel),
    },
  };
  const required: string[] = [];
  const sandboxRequire = (name: string) => {
    required.push(name);
    if (name !== 'electron') throw new Error(`the sandboxed preload cannot require "${name}"`);
    return electron;
  };
  const module = { exports: {} };
  vm.runInNewContext(code, { require: sandboxRequire, module, exports: module.exports });
  return { exposed, invoked, ipcListeners, required };
}

describe('Electron preload', () => {
  it('needs nothing but electron, and exposes only call, on, and the job file transfers', async () => {
    const { exposed, required } = await loadPreload();
    assert.deepEqual([...new Set(required)], ['electron']);
    assert.deepEqual([...exposed.keys()], ['trustline']);
    assert.deepEqual(Object.keys(exposed.get('trustline') as object).sort(), ['call', 'jobResult', 'on', 'upload']);
  });

  it('forwards contract calls on the one call channel and drops unknown names', async () => {
    const { exposed, invoked } = await loadPreload();
    const api = exposed.get('trustline') as {
      call(name: string, input: unknown, session?: unknown): Promise<unknown>;
    };
    await api.call('devices.list', { limit: 5 }, 'session-1');
    await api.call('devices.list', { limit: 5 }, { not: 'a string' });
    // The session travels as the last argument, and only as a string.
    assert.deepEqual(invoked, [
      [ipcChannels.call, 'devices.list', { limit: 5 }, 'session-1'],
      [ipcChannels.call, 'devices.list', { limit: 5 }, null],
    ]);
    const refused = (await api.call('shell.exec', { cmd: 'rm -rf /' })) as { error: { code: string } };
    assert.equal(refused.error.code, 'UNKNOWN_CALL');
    assert.equal(invoked.length, 2);
  });

  it('passes events on without exposing the IPC event object, and unsubscribes', async () => {
    const { exposed, ipcListeners } = await loadPreload();
    const api = exposed.get('trustline') as { on(listener: (envelope: unknown) => void): () => void };
    const seen: unknown[] = [];
    const off = api.on((envelope) => seen.push(envelope));
    const envelope = { name: 'devices.changed', payload: { change: 'registered', ids: ['a'] } };
    ipcListeners.get(ipcChannels.event)?.({ sender: 'ipc internals' }, envelope);
    assert.deepEqual(seen, [envelope]);
    off();
    assert.equal(ipcListeners.has(ipcChannels.event), false);
  });
});
