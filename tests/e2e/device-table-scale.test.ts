import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { createDeviceGroup } from '../../main/core/inventory/device-groups.repo';
import { registerDevices } from '../../main/core/inventory/devices.repo';
import { openStation } from '../../main/core/station';
import { launchChromium } from '../helpers/browser';
import { type ServeProcess, startServe } from '../helpers/serve-process';
import { openStationPage } from '../helpers/sign-in-page';
import { seedAdmin } from '../helpers/users';
import { tempDir } from '../helpers/temp-dir';

const devices = 5000;

describe('device table at scale in Chromium', () => {
  const data = tempDir();
  let browser: Browser;
  let serve: ServeProcess;

  before(async () => {
    const station = openStation(data);
    const group = createDeviceGroup(station.db, { name: 'Bulk' }, { actor: 'test' });
    registerDevices(
      station.db,
      Array.from({ length: devices }, (_, i) => ({
        name: `bulk-${String(i).padStart(5, '0')}`,
        groupId: group.id,
        attributes: { serial: String(i).padStart(8, '0') },
      })),
      { actor: 'test' },
    );
    await seedAdmin(station);
    await station.close();
    browser = await launchChromium();
    serve = await startServe(data);
  });
  after(async () => {
    await serve?.stop();
    await browser?.close();
  });

  it('renders only the visible rows and loads further pages as the operator scrolls', async () => {
    const page = await openStationPage(browser, serve.url, { viewport: { width: 1280, height: 800 } });
    await page
      .getByTestId('device-count')
      .filter({ hasText: `100 of ${devices} devices` })
      .waitFor();
    const rendered = await page.getByTestId('device-row').count();
    assert.ok(rendered > 0 && rendered < 60, `${rendered} rows in the DOM for 100 loaded`);

    // End jumps to the last loaded row; reaching it fetches the next page by cursor.
    await page.getByTestId('device-table').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('End');
    await page
      .getByTestId('device-count')
      .filter({ hasText: `200 of ${devices} devices` })
      .waitFor();
    assert.ok((await page.getByTestId('device-row').count()) < 60);
    await page.getByTestId('device-row').filter({ hasText: 'bulk-04900' }).waitFor();
  });
});
