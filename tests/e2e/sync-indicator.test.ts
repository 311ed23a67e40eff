// The top bar tells everyone at the station whether its records reach the central server: online
// with nothing queued, offline with a growing queue when the server goes away, and back online
// after "Sync now" once it returns. A real server on PostgreSQL; a proxy to take it away.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { fullAccessContext } from '../../main/core/api/call-context';
import { openStation } from '../../main/core/station';
import { createAdministrator, type RunningServer, startServer } from '../../server/start-server';
import { launchChromium } from '../helpers/browser';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy';
import { createTestDatabase } from '../helpers/postgres';
import { type ServeProcess, startServe } from '../helpers/serve-process';
import { api } from '../helpers/server';
import { openStationPage, seedAdmin } from '../helpers/sign-in-page';
import { tempDir } from '../helpers/temp-dir';

describe('the sync indicator in Chromium', () => {
  const data = tempDir();
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: RunningServer;
  let proxy: FaultProxy;
  let browser: Browser;
  let serve: ServeProcess;
  let page: Page;

  before(async () => {
    database = await createTestDatabase();
    server = await startServer({ databaseUrl: database.url, port: 0 });
    const { token } = await createAdministrator(database.url, 'admin');
    proxy = await startFaultProxy(server.url);
    const created = await api<{ enrolmentToken: string }>(server.url, 'POST', '/api/v1/stations', {
      token,
      body: { name: 'line-7' },
    });
    assert.equal(created.status, 201);
    await seedAdmin(data);
    const station = openStation(data);
    try {
      const enrolled = await station.dispatch(
        'sync.enrol',
        { serverUrl: proxy.url, enrolmentToken: created.body.enrolmentToken, stationName: 'line-7' },
        fullAccessContext('test:admin'),
      );
      assert.equal(enrolled.ok, true);
    } finally {
      await station.close();
    }
    serve = await startServe(data, { env: { TRUSTLINE_SYNC_INTERVAL_MS: '100' } });
    browser = await launchChromium();
    page = await openStationPage(browser, serve.url);
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    await proxy?.close();
    await server?.close();
    await database?.drop();
  });

  it('shows the station online with nothing queued once its records are on the server', async () => {
    const indicator = page.getByTestId('sync-indicator');
    await page.locator('[data-testid="sync-indicator"][data-connection="online"]').waitFor({ timeout: 20_000 });
    await page
      .getByTestId('sync-summary')
      .filter({ hasText: /Online · 0 queued · last sync \d/ })
      .waitFor();
    assert.match((await indicator.getAttribute('title')) ?? '', new RegExp(proxy.url.replace(/[.:/]/g, '\\$&')));
  });

  it('shows it offline, with what waits, when the server goes away', async () => {
    proxy.target(null);
    await page.locator('[data-testid="sync-indicator"][data-connection="offline"]').waitFor({ timeout: 20_000 });
    // Signing out and in again writes audit entries: they wait for the server.
    await page.getByTestId('sign-out-button').click();
    await page.getByTestId('signin-submit').waitFor();
    await page.close();
    page = await openStationPage(browser, serve.url);
    await page
      .getByTestId('sync-summary')
      .filter({ hasText: /Offline · [1-9]\d* queued/ })
      .waitFor({ timeout: 20_000 });
    const title = (await page.getByTestId('sync-indicator').getAttribute('title')) ?? '';
    assert.match(title, /SYNC_SERVER_UNREACHABLE/);
  });

  it('goes back online on "Sync now" once the server is back', async () => {
    proxy.target(server.url);
    await page.getByTestId('sync-now-button').click();
    await page.locator('[data-testid="sync-indicator"][data-connection="online"]').waitFor({ timeout: 20_000 });
    await page
      .getByTestId('sync-summary')
      .filter({ hasText: /Online · 0 queued/ })
      .waitFor({ timeout: 20_000 });
  });
});
