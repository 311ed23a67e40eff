// The administrator's Users screen: people with roles and credentials, a refused duplicate, an
// edit that would leave no way to sign in, a lockout cleared, a service user, a custom role made
// and deleted, and API tokens whose secret is shown once, one of them revoked.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openStation } from '../../main/core/station';
import { launchChromium } from '../helpers/browser';
import { type ServeProcess, startServe } from '../helpers/serve-process';
import { openStationPage, signIn, signOut } from '../helpers/sign-in-page';
import { tempDir } from '../helpers/temp-dir';
import { seedUser, testAdmin } from '../helpers/users';

const deviceCreator = { username: 'dc1', password: 'device-creator-pass-1' } as const;

/**
 * The administrator, a device creator (API tokens but no users), and a QA technician locked out
 * by five wrong passwords (the station's threshold), written before serve opens the folder.
 */
async function prepareStation(dataDir: string): Promise<void> {
  const station = openStation(dataDir);
  try {
    await seedUser(station, { ...testAdmin, roleNames: ['Solution administrator'] });
    await seedUser(station, { ...deviceCreator, roleNames: ['Device creator'] });
    await seedUser(station, {
      username: 'qa-locked',
      displayName: 'Locked QA',
      roleNames: ['QA technician'],
      password: 'qa-technician-pass-1',
    });
    for (let attempt = 0; attempt < 5; attempt++) {
      const wrong = { method: 'password', username: 'qa-locked', password: 'not-the-password' } as const;
      const result = await station.dispatch('auth.signIn', wrong, station.auth.contextFor({}));
      assert.equal(result.ok, false);
    }
  } finally {
    await station.close();
  }
}

const userRow = (page: Page, username: string) => page.locator(`[data-testid="user-row"][data-username="${username}"]`);

async function addOperator(page: Page, username: string, pin: string) {
  await page.getByTestId('add-user').click();
  const dialog = page.getByTestId('add-user-dialog');
  await dialog.getByLabel('Username').fill(username);
  await dialog.getByLabel('Display name').fill(`Operator ${username}`);
  await dialog.getByRole('checkbox', { name: 'Line operator' }).check();
  await dialog.getByLabel('PIN').fill(pin);
  await dialog.getByRole('button', { name: 'Add user' }).click();
  return dialog;
}

describe('the Users screen in Chromium', () => {
  const data = tempDir();
  let browser: Browser;
  let serve: ServeProcess;
  let page: Page;

  before(async () => {
    await prepareStation(data);
    browser = await launchChromium();
    serve = await startServe(data);
    page = await openStationPage(browser, serve.url);
    await page.getByRole('navigation').getByRole('button', { name: 'Users', exact: true }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
  });

  after(async () => {
    await serve?.stop();
    await browser?.close();
  });

  it('adds a line operator with a PIN, and refuses the same username twice', async () => {
    await page.getByTestId('users-tab-users').click();
    // Nothing but a username: the form asks for the rest before anything is sent.
    await page.getByTestId('add-user').click();
    const empty = page.getByTestId('add-user-dialog');
    await empty.getByLabel('Username').fill('op1');
    await empty.getByRole('button', { name: 'Add user' }).click();
    await empty.getByText('Choose at least one role.').waitFor();
    await empty.getByText('Give at least one of password, PIN and badge.').waitFor();
    await empty.getByRole('button', { name: 'Cancel' }).click();

    const dialog = await addOperator(page, 'op1', '4711');
    await dialog.waitFor({ state: 'hidden' });
    const row = page.getByTestId('user-row').filter({ hasText: 'op1' });
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    assert.deepEqual(cells.slice(0, 5), ['op1', 'Operator op1', 'Person', 'Line operator', 'PIN']);

    const again = await addOperator(page, 'op1', '4712');
    await again.getByRole('alert').filter({ hasText: 'The username "op1" is already taken.' }).waitFor();
    await again.getByRole('button', { name: 'Cancel' }).click();
    await again.waitFor({ state: 'hidden' });
    assert.equal(await page.locator('[data-testid="user-row"][data-username="op1"]').count(), 1);
  });

  it('edits a user, refusing an edit that leaves no way to sign in', async () => {
    await userRow(page, 'op1').getByTestId('edit-user').click();
    const dialog = page.getByTestId('edit-user-dialog');
    await dialog.locator('select[name="pin-action"]').selectOption('remove');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Give at least one of password, PIN and badge.').waitFor();

    await dialog.locator('select[name="badge-action"]').selectOption('replace');
    await dialog.getByLabel('New badge').fill('BADGE-0001');
    await dialog.getByRole('checkbox', { name: 'QA technician' }).check();
    await dialog.getByRole('checkbox', { name: /^Disabled/ }).check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = userRow(page, 'op1');
    await row.getByText('Disabled', { exact: true }).waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    assert.deepEqual(cells[3]?.split(', ').sort(), ['Line operator', 'QA technician']);
    assert.equal(cells[4], 'Badge');
  });

  it('shows a locked-out user and clears the lockout', async () => {
    const row = userRow(page, 'qa-locked');
    await row.getByText('Locked until').waitFor();
    await row.getByTestId('clear-lockout').click();
    await row.getByText('Locked until').waitFor({ state: 'detached' });
    assert.equal(await row.getByTestId('clear-lockout').count(), 0);
    assert.equal(await row.getByRole('cell').nth(5).textContent(), '0');
  });

  it('adds a service user that holds only its own permissions', async () => {
    await page.getByTestId('add-service-user').click();
    const dialog = page.getByTestId('service-user-dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('mes-import');
    await dialog.getByLabel('Display name').fill('MES import job');
    await dialog.getByRole('button', { name: 'Add service user' }).click();
    await dialog.getByText('Choose at least one permission.').waitFor();
    await dialog.getByRole('checkbox', { name: 'Register devices' }).check();
    await dialog.getByRole('checkbox', { name: 'View device groups' }).check();
    await dialog.getByRole('button', { name: 'Add service user' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = userRow(page, 'mes-import');
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    assert.deepEqual(cells.slice(0, 5), [
      'mes-import',
      'MES import job',
      'Service',
      'Own permissions: 2',
      'API tokens only',
    ]);
  });

  it('creates a custom role from permissions and deletes it', async () => {
    await page.getByTestId('users-tab-roles').click();
    await page.getByTestId('role-row').filter({ hasText: 'Solution administrator' }).waitFor();
    await page.getByTestId('new-role').click();
    const dialog = page.getByTestId('new-role-dialog');
    await dialog.getByLabel('Name').fill('Line lead');
    await dialog.getByLabel('Description').fill('Runs the line and its recipes');
    await dialog.getByRole('checkbox', { name: 'Run the line' }).check();
    await dialog.getByRole('checkbox', { name: 'Manage station recipes' }).check();
    await dialog.getByRole('button', { name: 'Create role' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = page.locator('[data-testid="role-row"][data-role="Line lead"]');
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /Custom.*Run the line, Manage station recipes/);
    // Built-in roles offer no delete.
    const builtIn = page.locator('[data-testid="role-row"][data-role="Line operator"]');
    assert.equal(await builtIn.getByTestId('delete-role').count(), 0);

    await row.getByTestId('delete-role').click();
    const confirm = page.getByTestId('confirm-dialog');
    await confirm.getByText('Delete the role "Line lead"?').waitFor();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
  });

  it('creates an API token, shows its secret once, and revokes it', async () => {
    await page.getByTestId('users-tab-tokens').click();
    await page.getByTestId('create-token').click();
    const dialog = page.getByTestId('create-token-dialog');
    await dialog.getByLabel('Name').fill('MES import');
    await dialog.getByLabel('Expires after (days)').fill('30');
    await dialog.getByRole('button', { name: 'Create token' }).click();

    const secretDialog = page.getByTestId('token-secret-dialog');
    await secretDialog.getByText('will not show it again').waitFor();
    const secret = await secretDialog.getByTestId('token-secret').inputValue();
    assert.match(secret, /^tlt_/);
    await secretDialog.getByTestId('token-secret-done').click();
    await secretDialog.waitFor({ state: 'hidden' });

    const row = page.locator('[data-testid="token-row"][data-token="MES import"]');
    await row.waitFor();
    const prefix = ((await row.getByTestId('token-prefix').textContent()) ?? '').replace(/…$/, '');
    assert.ok(prefix.length > 0 && secret.startsWith(prefix), `${prefix} is the start of the secret`);
    assert.equal(await row.getByTestId('token-status').getAttribute('data-status'), 'active');
    // Gone for good once the dialog closed: nowhere on the page, and no way to open it again.
    assert.equal((await page.content()).includes(secret), false);
    assert.equal(await page.getByTestId('token-secret').count(), 0);

    await row.getByTestId('revoke-token').click();
    const confirm = page.getByTestId('confirm-dialog');
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await row.locator('[data-testid="token-status"][data-status="revoked"]').waitFor();
    assert.equal(await row.getByTestId('revoke-token').count(), 0);
  });

  it('creates a token that acts as the service user', async () => {
    await page.getByTestId('create-token').click();
    const dialog = page.getByTestId('create-token-dialog');
    await dialog.getByLabel('Name').fill('Nightly import');
    await dialog.getByLabel('Acts as').selectOption({ label: 'MES import job (mes-import)' });
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const secretDialog = page.getByTestId('token-secret-dialog');
    assert.match(await secretDialog.getByTestId('token-secret').inputValue(), /^tlt_/);
    await secretDialog.getByTestId('token-secret-done').click();

    const row = page.locator('[data-testid="token-row"][data-token="Nightly import"]');
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    assert.equal(cells[2], 'mes-import (Service)');
    assert.equal(cells[4], 'Never');
  });

  it('speaks German: tabs, permission names and the token list', async () => {
    await page.getByTestId('language-select').selectOption('de');
    await page.getByRole('tab', { name: 'API-Tokens' }).waitFor();
    await page.getByTestId('users-tab-roles').click();
    const operator = page.locator('[data-testid="role-row"][data-role="Line operator"]');
    assert.match((await operator.textContent()) ?? '', /Eingebaut.*Linie ansehen, Linie betreiben, Geräte ansehen/);
    await page.getByTestId('users-tab-tokens').click();
    const revoked = page.locator('[data-testid="token-row"][data-token="MES import"]');
    assert.match((await revoked.getByTestId('token-status').textContent()) ?? '', /^Widerrufen /);
    await page.getByTestId('language-select').selectOption('en');
  });

  it('offers someone with tokens.manage alone only their own API tokens', async () => {
    await signOut(page);
    await signIn(page, deviceCreator);
    await page.getByRole('navigation').getByRole('button', { name: 'Users', exact: true }).click();
    await page.getByTestId('users-tab-tokens').waitFor();
    assert.equal(await page.getByRole('tab').count(), 1);
    await page.getByText('No API tokens yet.').waitFor();

    await page.getByTestId('create-token').click();
    const dialog = page.getByTestId('create-token-dialog');
    assert.equal(await dialog.getByLabel('Acts as').count(), 0, 'no service users to choose without users.manage');
    await dialog.getByLabel('Name').fill('Batch upload');
    await dialog.getByRole('button', { name: 'Create token' }).click();
    await page.getByTestId('token-secret-done').click();
    const row = page.locator('[data-testid="token-row"][data-token="Batch upload"]');
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    assert.equal(cells[2], 'dc1');
    assert.equal(await page.getByTestId('token-row').count(), 1, "the administrator's tokens are not listed");
  });
});
