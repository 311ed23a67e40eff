import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type IpcEventLike, type IpcMainLike, isAppPageUrl, registerIpcAdapter } from '../../main/electron/ipc-adapter';
import { ipcChannels, type SignedIn } from '../../preload/contract';
import { call } from '../helpers/pki';
import { callContext, rowCounts, testStation } from '../helpers/station';
import { seedUser } from '../helpers/users';

const appUrl = 'file:///opt/trustline/resources/app/dist/renderer/index.html';

/** Stands in for Electron's ipcMain: records handlers and invokes them as a renderer would. */
function fakeIpcMain() {
  const handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => handlers.delete(channel),
  };
  const invoke = (args: unknown[], frame: IpcEventLike['senderFrame'] = { url: appUrl, parent: null }) => {
    const handler = handlers.get(ipcChannels.call);
    if (!handler) throw new Error('no handler registered');
    return handler({ senderFrame: frame }, ...args) as Promise<{ ok: boolean; error?: { code: string } }>;
  };
  return { ipcMain, handlers, invoke };
}

function setup() {
  const station = testStation();
  const fake = fakeIpcMain();
  const unregister = registerIpcAdapter(fake.ipcMain, {
    dispatch: station.dispatch,
    context: () => callContext,
    isTrustedUrl: (url) => isAppPageUrl(url, appUrl),
  });
  return { station, ...fake, unregister };
}

describe('Electron IPC adapter', () => {
  it('resolves the caller from the session the renderer sent, as the station main does', async () => {
    const station = testStation();
    const fake = fakeIpcMain();
    registerIpcAdapter(fake.ipcMain, {
      dispatch: station.dispatch,
      context: (session) => station.auth.contextFor({ session }),
      isTrustedUrl: (url) => isAppPageUrl(url, appUrl),
    });
    await seedUser(station, { username: 'olga', roleNames: ['Line operator'], pin: '2580' });
    const signed = (await fake.invoke(['auth.signIn', { method: 'pin', username: 'olga', pin: '2580' }, null])) as {
      ok: true;
      value: SignedIn;
    };
    assert.equal((await fake.invoke(['line.status', {}, signed.value.sessionToken])).ok, true);
    assert.equal((await fake.invoke(['line.status', {}, null])).error?.code, 'UNAUTHENTICATED');
    assert.equal((await fake.invoke(['users.list', {}, signed.value.sessionToken])).error?.code, 'PERMISSION_DENIED');
    await station.close();
  });

  it('dispatches contract calls from the station window', async () => {
    const { station, invoke } = setup();
    const created = await invoke(['deviceGroups.create', { name: 'Line 1' }]);
    assert.equal(created.ok, true);
    const listed = (await invoke(['deviceGroups.list', {}])) as { ok: true; value: { name: string }[] };
    assert.deepEqual(
      listed.value.map((g) => g.name),
      ['Line 1'],
    );
    station.close();
  });

  it('rejects unknown calls, malformed input and wrong types, changing nothing', async () => {
    const { station, invoke } = setup();
    const before = rowCounts(station.db);
    const cases: [unknown[], string][] = [
      [['devices.drop', {}], 'UNKNOWN_CALL'],
      [[{ name: 'devices.list' }, {}], 'UNKNOWN_CALL'],
      [[], 'UNKNOWN_CALL'],
      [['deviceGroups.create'], 'INVALID_INPUT'],
      [['deviceGroups.create', { name: 12 }], 'INVALID_INPUT'],
      [['deviceGroups.create', { name: 'ok', sneaky: 1 }], 'INVALID_INPUT'],
      [
        ['devices.register', { name: 'd', groupId: '7f1c2b9e-1d2a-4c3b-9a8e-0f1e2d3c4b5a', attributes: { mac: 1 } }],
        'INVALID_INPUT',
      ],
      [['devices.setStatus', { id: '7f1c2b9e-1d2a-4c3b-9a8e-0f1e2d3c4b5a', status: 'Off' }], 'INVALID_INPUT'],
    ];
    for (const [args, code] of cases) {
      const result = await invoke(args);
      assert.equal(result.ok, false, JSON.stringify(args));
      assert.equal(result.error?.code, code, JSON.stringify(args));
    }
    assert.deepEqual(rowCounts(station.db), before);
    station.close();
  });

  it('refuses calls from other pages and from subframes', async () => {
    const { station, invoke } = setup();
    const before = rowCounts(station.db);
    const frames: IpcEventLike['senderFrame'][] = [
      { url: 'https://evil.example/', parent: null },
      { url: appUrl, parent: { url: appUrl } },
      null,
    ];
    for (const frame of frames) {
      const result = await invoke(['deviceGroups.create', { name: 'x' }], frame);
      assert.equal(result.error?.code, 'FORBIDDEN_ORIGIN');
    }
    assert.deepEqual(rowCounts(station.db), before);
    station.close();
  });

  it('trusts only the packaged index page', () => {
    assert.equal(isAppPageUrl(appUrl, appUrl), true);
    assert.equal(isAppPageUrl(`${appUrl}#/devices`, appUrl), true);
    for (const url of [
      `${appUrl}?x=1`,
      'file:///opt/trustline/resources/app/dist/renderer/other.html',
      'file:///tmp/index.html',
      'http://127.0.0.1:1234/',
      `${appUrl}.evil.html`,
    ]) {
      assert.equal(isAppPageUrl(url, appUrl), false, url);
    }
  });

  it('stages an upload for a caller holding jobs.run, refuses others and other pages, and hands back the result ZIP', async () => {
    const station = testStation();
    const fake = fakeIpcMain();
    const unregister = registerIpcAdapter(fake.ipcMain, {
      dispatch: station.dispatch,
      context: (session) => station.auth.contextFor({ session }),
      isTrustedUrl: (url) => isAppPageUrl(url, appUrl),
      jobs: station.jobs,
    });
    const channel = (name: string) => {
      const handler = fake.handlers.get(name);
      assert.ok(handler, `no handler for ${name}`);
      return (args: unknown[], frame: IpcEventLike['senderFrame'] = { url: appUrl, parent: null }) =>
        handler({ senderFrame: frame }, ...args) as Promise<{
          ok: boolean;
          value?: unknown;
          error?: { code: string };
        }>;
    };
    const upload = channel(ipcChannels.upload);
    const jobResult = channel(ipcChannels.jobResult);
    const signIn = async (username: string, pin: string) => {
      const signed = (await fake.invoke(['auth.signIn', { method: 'pin', username, pin }, null])) as {
        ok: true;
        value: SignedIn;
      };
      return signed.value.sessionToken;
    };
    await seedUser(station, { username: 'olga', roleNames: ['Line operator'], pin: '2580' });
    await seedUser(station, { username: 'dora', roleNames: ['Device creator'], pin: '1357' });
    const operator = await signIn('olga', '2580');
    const creator = await signIn('dora', '1357');
    const csv = new TextEncoder().encode('device_name,description\nipc-1,first\nipc-2,second\n');

    assert.equal((await upload([csv, null])).error?.code, 'UNAUTHENTICATED');
    assert.equal((await upload([csv, operator])).error?.code, 'PERMISSION_DENIED');
    assert.equal(
      (await upload([csv, creator], { url: 'https://evil.example/', parent: null })).error?.code,
      'FORBIDDEN_ORIGIN',
    );
    assert.equal((await upload(['not bytes', creator])).error?.code, 'INVALID_INPUT');

    const staged = (await upload([csv, creator])) as { ok: true; value: { uploadId: string } };
    assert.equal(staged.ok, true, JSON.stringify(staged));
    const groupId = (await call(station, 'deviceGroups.create', { name: 'IPC group' })).id;
    const created = (await fake.invoke([
      'jobs.create',
      {
        uploadId: staged.value.uploadId,
        inputName: 'ipc.csv',
        options: { kind: 'register-devices', groupId },
      },
      creator,
    ])) as { ok: true; value: { id: string } };
    assert.equal(created.ok, true, JSON.stringify(created));
    const validated = await station.jobs.settled(created.value.id);
    assert.equal(validated.state, 'validated');
    assert.equal(validated.counts.pending, 2);
    await fake.invoke(['jobs.start', { id: created.value.id }, creator]);
    assert.equal((await station.jobs.settled(created.value.id)).state, 'completed');

    assert.equal((await jobResult([created.value.id, operator])).error?.code, 'PERMISSION_DENIED');
    assert.equal((await jobResult(['../../etc/passwd', creator])).error?.code, 'INVALID_INPUT');
    const result = (await jobResult([created.value.id, creator])) as {
      ok: true;
      value: { fileName: string; bytes: Uint8Array };
    };
    assert.equal(result.ok, true);
    assert.equal(result.value.fileName, `trustline-job-${created.value.id}.zip`);
    assert.deepEqual([...result.value.bytes.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04]);
    // With a passcode: CMS EnvelopedData around the ZIP; a short one or a non-string is refused.
    const sealed = (await jobResult([created.value.id, creator, 'Result passcode 2026!'])) as typeof result;
    assert.equal(sealed.value.fileName, `trustline-job-${created.value.id}-result.zip.p7m`);
    assert.deepEqual([...sealed.value.bytes.subarray(0, 2)], [0x30, 0x80]);
    assert.equal((await jobResult([created.value.id, creator, 'short'])).error?.code, 'INVALID_INPUT');
    assert.equal((await jobResult([created.value.id, creator, 12345678])).error?.code, 'INVALID_INPUT');

    unregister();
    assert.equal(fake.handlers.size, 0);
    await station.close();
  });

  it('removes its handler when unregistered', () => {
    const { station, handlers, unregister } = setup();
    assert.equal(handlers.size, 1);
    unregister();
    assert.equal(handlers.size, 0);
    station.close();
  });
});
