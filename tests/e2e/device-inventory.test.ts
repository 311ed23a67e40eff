import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { type ServeProcess, startServe } from '../helpers/serve-process';
import { openStationPage, seedAdmin } from '../helpers/sign-in-page';
import { tempDir } from '../helpers/temp-dir';

const mac = '00:11:22:33:44:55';

async function registerDevice(page: Page, name: string, attributes: [string, string][]) {
  await page.getByRole('button', { name: 'Register device' }).first().click();
  const dialog = page.getByTestId('register-device-dialog');
  await dialog.getByLabel('Device name').fill(name);
  await dialog.getByLabel('Device group').selectOption({ label: 'Line 1' });
  for (const [index, [key, value]] of attributes.entries()) {
    if (index > 0) await dialog.getByRole('button', { name: 'Add attribute' }).click();
    await dialog.locator(`input[name="attr-key-${index}"]`).fill(key);
    await dialog.locator(`input[name="attr-value-${index}"]`).fill(value);
  }
  await dialog.getByRole('button', { name: 'Register device' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByTestId('device-row').filter({ hasText: name }).waitFor();
}

describe('device inventory in Chromium', () => {
  const data = tempDir();
  let browser: Browser;
  let serve: ServeProcess;

  before(async () => {
    await seedAdmin(data);
    browser = await launchChromium();
    serve = await startServe(data);
  });
  after(async () => {
    await serve?.stop();
    await browser?.close();
  });

  it('creates a group, registers devices, filters by attribute and disables one', async () => {
    const page = await openStationPage(browser, serve.url);
    assert.equal(new URL(page.url()).hash.includes('token'), false, 'the token is cleared from the address bar');

    await page.getByRole('button', { name: 'Device groups' }).click();
    await page.getByText('No device groups yet').waitFor();
    await page.getByRole('button', { name: 'Create device group' }).click();
    const groupDialog = page.getByTestId('group-dialog');
    await groupDialog.getByRole('button', { name: 'Create device group' }).click();
    await groupDialog.getByText('Required.').waitFor();
    await groupDialog.getByLabel('Name').fill('Line 1');
    await groupDialog.getByRole('button', { name: 'Create device group' }).click();
    await page.getByTestId('group-row').filter({ hasText: 'Line 1' }).waitFor();

    await page.getByRole('button', { name: 'Devices', exact: true }).click();
    await page.getByTestId('devices-empty').waitFor();

    // Bad input is caught in the form and nothing is sent.
    await page.getByRole('button', { name: 'Register device' }).first().click();
    const dialog = page.getByTestId('register-device-dialog');
    await dialog.locator('input[name="attr-key-0"]').fill('bad key');
    await dialog.getByRole('button', { name: 'Register device' }).click();
    await dialog.getByText('Required.').first().waitFor();
    await dialog.getByText('Use letters, digits').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await registerDevice(page, 'gw-001', [
      ['mac', mac],
      ['serial', '000123'],
    ]);
    await registerDevice(page, 'gw-002', [['mac', '00:11:22:33:44:66']]);
    await page.getByTestId('device-count').filter({ hasText: '2 of 2 devices' }).waitFor();

    // The station refuses a duplicate name in the group and the dialog says why.
    await page.getByRole('button', { name: 'Register device' }).first().click();
    await dialog.getByLabel('Device name').fill('gw-001');
    await dialog.getByRole('button', { name: 'Register device' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'already exists in the group "Line 1"' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await page.getByLabel('Attribute').fill(`mac=${mac}`);
    await page.getByTestId('device-count').filter({ hasText: '1 of 1 devices' }).waitFor();
    const row = page.getByTestId('device-row');
    assert.equal(await row.count(), 1);
    assert.match((await row.textContent()) ?? '', /gw-001/);

    // Keyboard: focus the table, move to the row, open its details.
    await page.getByTestId('device-table').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const details = page.getByTestId('device-details');
    await details.getByText('serial').waitFor();
    await details.getByRole('button', { name: 'Disable' }).click();
    await page.getByTestId('device-status').filter({ hasText: 'Disabled' }).waitFor();
    await details.getByRole('button', { name: 'Enable' }).waitFor();
  });

  it('keeps the device, disabled, after the station restarts on the same data', async () => {
    await serve.stop();
    serve = await startServe(data);
    const page = await openStationPage(browser, serve.url);
    await page.getByLabel('Attribute').fill(`mac=${mac}`);
    await page.getByTestId('device-count').filter({ hasText: '1 of 1 devices' }).waitFor();
    const row = page.getByTestId('device-row');
    assert.match((await row.textContent()) ?? '', /gw-001/);
    assert.equal(await row.getByTestId('device-status').textContent(), 'Disabled');
  });

  it('says plainly which areas are not built yet, and speaks German', async () => {
    const page = await openStationPage(browser, serve.url);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByTestId('not-built').getByText('Settings is not built yet').waitFor();
    await page.getByTestId('language-select').selectOption('de');
    await page.getByTestId('not-built').getByText('Einstellungen ist noch nicht gebaut').waitFor();
    await page.getByRole('button', { name: 'Geräte', exact: true }).click();
    await page.getByRole('heading', { name: 'Geräte' }).waitFor();
    await page.getByRole('button', { name: 'Gerät registrieren' }).first().waitFor();
  });

  it('refuses a page opened without the launch token', async () => {
    const page = await browser.newPage();
    await page.goto(serve.url.split('#')[0] ?? '');
    await page.getByText('needs the address the station printed').waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/call/devices.list', { method: 'POST' })).status);
    assert.equal(status, 401);
    await page.close();
  });
});
