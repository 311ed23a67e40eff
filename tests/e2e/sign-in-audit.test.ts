// Signing in at the station: the first administrator on a fresh folder, PIN and badge sign-in,
// navigation cut to a person's roles, a forged call refused and found in the audit log, the
// log's export and chain check, and the idle lock that only the owner's PIN lifts.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openStation } from '../../main/core/station';
import { launchChromium } from '../helpers/browser';
import { type ServeProcess, startServe } from '../helpers/serve-process';
import { openStationPage, signIn, signOut } from '../helpers/sign-in-page';
import { tempDir } from '../helpers/temp-dir';
import { seedUser, testAdmin } from '../helpers/users';

const operator = { username: 'op-anna', displayName: 'Anna Operator', pin: '4711' };
const inspector = { username: 'qa-bea', displayName: 'Bea Inspector', badge: 'BADGE-0042' };
/** The audit screen's page size: one more than this many refusals spills onto a second page. */
const refusedPage = 100;
const everyArea = ['Line', 'QA', 'Devices', 'Device groups', 'Jobs', 'Policies & CA', 'Users', 'Audit', 'Settings'];

function navigationAreas(page: Page): Promise<string[]> {
  return page.getByRole('navigation').getByRole('button').allTextContents();
}

interface ForgedAnswer {
  status: number;
  body: { ok: boolean; error?: { code: string } };
}

/** A call made by hand from the page with its own session, as someone poking at the bridge would. */
async function forgeCall(page: Page, launchUrl: string, name: string): Promise<ForgedAnswer> {
  const launchToken = new URL(launchUrl).hash.replace('#token=', '');
  const session = String(await page.evaluate("sessionStorage.getItem('trustline.session')"));
  const answer = await page.evaluate(
    async ({ call, headers }) => {
      const response = await fetch(`/api/call/${call}`, { method: 'POST', headers, body: '{}' });
      return { status: response.status, body: (await response.json()) as unknown };
    },
    {
      call: name,
      headers: {
        authorization: `Bearer ${launchToken}`,
        'content-type': 'application/json',
        'x-trustline-session': session,
      },
    },
  );
  return answer as ForgedAnswer;
}

describe('sign-in, roles and the audit log in Chromium', () => {
  const data = tempDir();
  let browser: Browser;
  let serve: ServeProcess;
  let page: Page;

  before(async () => {
    browser = await launchChromium();
    serve = await startServe(data);
  });
  after(async () => {
    await serve?.stop();
    await browser?.close();
  });

  it('asks a fresh station for its first administrator, who lands in every area', async () => {
    page = await openStationPage(browser, serve.url, { as: null });
    await page.getByRole('heading', { name: 'Create the first administrator' }).waitFor();

    // The form's own checks: nothing is sent while the passwords differ or the PIN is no PIN.
    await page.getByTestId('setup-username').fill(testAdmin.username);
    await page.getByTestId('setup-display-name').fill(testAdmin.displayName);
    await page.getByTestId('setup-password').fill(testAdmin.password);
    await page.getByTestId('setup-password-confirm').fill(`${testAdmin.password}x`);
    await page.getByTestId('setup-pin').fill('12');
    await page.getByTestId('setup-submit').click();
    await page.getByText('The two passwords differ.').waitFor();
    await page.getByText('4 to 12 digits.').waitFor();

    await page.getByTestId('setup-password-confirm').fill(testAdmin.password);
    await page.getByTestId('setup-pin').fill('');
    await page.getByTestId('setup-submit').click();
    await page.getByTestId('signed-in-user').filter({ hasText: testAdmin.displayName }).waitFor();
    assert.deepEqual(await navigationAreas(page), everyArea);

    // A reload keeps the session (it lives in the tab); signing out ends it.
    await page.reload();
    await page.getByTestId('signed-in-user').filter({ hasText: testAdmin.displayName }).waitFor();
    await signOut(page);
    await page.reload();
    await page.getByTestId('signin-submit').waitFor();
    assert.equal(await page.getByTestId('signed-in-user').count(), 0);
  });

  it('lets a Line operator in by PIN, to their areas only, and refuses a call they forge', async () => {
    // The admin's people are added in the data folder while no station serves it.
    await serve.stop();
    const station = openStation(data);
    try {
      await seedUser(station, { ...operator, roleNames: ['Line operator'] });
      await seedUser(station, { ...inspector, roleNames: ['QA technician'] });
    } finally {
      await station.close();
    }
    serve = await startServe(data);
    page = await openStationPage(browser, serve.url, { as: null });

    await page.getByTestId('signin-method-pin').click();
    await page.getByTestId('signin-username').fill(operator.username);
    await page.getByTestId('signin-pin').fill('0000');
    await page.getByTestId('signin-submit').click();
    await page.getByText('Wrong username, password, PIN or badge.').waitFor();

    await signIn(page, { username: operator.username, pin: operator.pin });
    await page.getByTestId('signed-in-user').filter({ hasText: operator.displayName }).waitFor();
    // The built-in Line operator role holds line.view, line.run and devices.view.
    assert.deepEqual(await navigationAreas(page), ['Line', 'Devices']);
    await page.getByRole('navigation').getByRole('button', { name: 'Line', exact: true }).click();
    await page.getByRole('heading', { name: 'Line', level: 1 }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'New recipe' }).count(), 0, 'recipes.manage is not theirs');

    const forged = await forgeCall(page, serve.url, 'users.list');
    assert.equal(forged.body.ok, false);
    assert.equal(forged.body.error?.code, 'PERMISSION_DENIED');
    assert.equal(forged.status, 403);
    // More than a page of refusals, so the administrator has older ones to load.
    for (let i = 0; i < refusedPage; i++) await forgeCall(page, serve.url, 'roles.list');
    await signOut(page);
  });

  it("shows the administrator the operator's refused call, exports the log and verifies its chain", async () => {
    await signIn(page);
    await page.getByRole('navigation').getByRole('button', { name: 'Audit', exact: true }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByTestId('audit-row').first().waitFor();

    await page.getByTestId('audit-filter-action').fill('call.refused');
    await page.getByTestId('audit-apply').click();
    const refused = page.getByTestId('audit-row').filter({ hasText: operator.username });
    await page
      .getByTestId('audit-count')
      .filter({ hasText: `${refusedPage} entries shown` })
      .waitFor();
    assert.deepEqual([...new Set(await page.getByTestId('audit-action').allTextContents())], ['call.refused']);
    // Newest first: the page ends in the roles.list refusals; the users.list one is older.
    assert.equal(await refused.filter({ hasText: 'users.list' }).count(), 0);
    await page.getByTestId('audit-load-older').click();
    await refused.filter({ hasText: 'users.list' }).waitFor();
    const seqs = (await page.locator('[data-testid="audit-row"] td:first-child').allTextContents()).map(Number);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => b - a),
      'newest first across pages',
    );
    assert.equal(new Set(seqs).size, seqs.length, 'no entry twice');
    // Only the forged calls were refused: the operator's own screens never asked for more than the role allows.
    const refusedCalls = await page.getByTestId('audit-row').allTextContents();
    assert.equal(refusedCalls.length, refusedPage + 1);
    assert.ok(
      refusedCalls.every((row) => /users\.list|roles\.list/.test(row)),
      refusedCalls.join('\n'),
    );

    const downloading = page.waitForEvent('download');
    await page.getByTestId('audit-export').click();
    const download = await downloading;
    assert.match(download.suggestedFilename(), /\.csv$/);
    const csv = await readFile((await download.path()) ?? '', 'utf8');
    assert.match(csv, /call\.refused/);
    assert.match(csv, new RegExp(operator.username));

    // The time filters take the station's local time; nothing was logged tomorrow.
    const tomorrow = new Date(Date.now() + 86_400_000);
    const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.getByTestId('audit-filter-from').fill(local);
    await page.getByTestId('audit-apply').click();
    await page.getByText('No audit entries match these filters.').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByTestId('audit-row').filter({ hasText: 'auth.signed-out' }).first().waitFor();

    await page.getByTestId('audit-verify').click();
    const verdict = page.getByTestId('audit-verify-result');
    await verdict.waitFor();
    assert.equal(await verdict.getAttribute('data-ok'), 'true');
    assert.match((await verdict.textContent()) ?? '', /^The chain is intact: \d+ entries, head #\d+ [0-9a-f]+\.$/);
    await signOut(page);
  });

  it('signs in a badge that the reader types into the page', async () => {
    await page.getByTestId('signin-method-badge').click();
    // The reader is a keyboard: no one clicks into the field first.
    await page.getByRole('heading', { name: 'Sign in' }).click();
    await page.keyboard.type(inspector.badge);
    await page.keyboard.press('Enter');
    await page.getByTestId('signed-in-user').filter({ hasText: inspector.displayName }).waitFor();
    assert.deepEqual(await navigationAreas(page), ['Line', 'QA', 'Devices']);

    // Lock now: someone without a PIN unlocks with a password, and can only sign out here.
    await page.getByTestId('lock-button').click();
    await page.getByTestId('lock-screen').getByText(`Locked for ${inspector.displayName}`).waitFor();
    assert.equal(await page.getByTestId('unlock-pin').count(), 0);
    await page.getByTestId('unlock-password').waitFor();
    await page.getByTestId('sign-out-button').click();
    await page.getByTestId('signin-submit').waitFor();
  });

  it('locks after the idle time the station was started with, and only the PIN unlocks', async () => {
    await serve.stop();
    serve = await startServe(data, { env: { TRUSTLINE_IDLE_LOCK_SECONDS: '2' } });
    page = await openStationPage(browser, serve.url, { as: { username: operator.username, pin: operator.pin } });

    // Half-typed work: the lock hides it, and it is still there after the unlock.
    await page.getByRole('navigation').getByRole('button', { name: 'Line', exact: true }).click();
    await page.getByLabel('Lot (optional)').fill('LOT-7');
    const lockScreen = page.getByTestId('lock-screen');
    await lockScreen.waitFor({ timeout: 10_000 });
    assert.equal(await page.getByLabel('Lot (optional)').isVisible(), false);
    await lockScreen.getByText(`Locked for ${operator.displayName} (${operator.username})`).waitFor();
    // The core holds the lock too: the session's own calls are refused until it is lifted.
    assert.equal((await forgeCall(page, serve.url, 'devices.list')).body.error?.code, 'SESSION_LOCKED');

    await page.getByTestId('unlock-pin').fill('9999');
    await page.getByTestId('unlock-submit').click();
    await lockScreen.getByRole('alert').waitFor();
    await page.getByTestId('unlock-pin').fill(operator.pin);
    await page.getByTestId('unlock-submit').click();
    await page.getByTestId('signed-in-user').filter({ hasText: operator.displayName }).waitFor();
    assert.equal(await page.getByLabel('Lot (optional)').inputValue(), 'LOT-7');
  });
});
