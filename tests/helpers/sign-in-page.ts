import assert from 'node:assert/strict';
import { after } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openStation } from '../../main/core/station';
import { seedAdmin as seedAdminIn, testAdmin } from './users';

/** Whatever a person signs in with at the station's form. */
export type SignInWith = { username: string; password: string } | { username: string; pin: string } | { badge: string };

/**
 * Gives a data folder the test Solution administrator (users.ts's seedAdmin, on a station opened
 * here), so the station opens on the sign-in form rather than the first-run one. Run it before
 * `serve` opens the folder: SoftHSM2 serves one process per token folder.
 */
export async function seedAdmin(dataDir: string): Promise<void> {
  const station = openStation(dataDir);
  try {
    await seedAdminIn(station);
  } finally {
    await station.close();
  }
}

/** Signs in through the form, the way a person does, and waits for the signed-in app. */
export async function signIn(page: Page, who: SignInWith = testAdmin): Promise<void> {
  if ('badge' in who) {
    await page.getByTestId('signin-method-badge').click();
    await page.getByTestId('signin-badge').fill(who.badge);
  } else if ('pin' in who) {
    await page.getByTestId('signin-method-pin').click();
    await page.getByTestId('signin-username').fill(who.username);
    await page.getByTestId('signin-pin').fill(who.pin);
  } else {
    await page.getByTestId('signin-method-password').click();
    await page.getByTestId('signin-username').fill(who.username);
    await page.getByTestId('signin-password').fill(who.password);
  }
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('signed-in-user').waitFor();
}

/** Signs out from the top bar and waits for the sign-in form. */
export async function signOut(page: Page): Promise<void> {
  await page.getByTestId('sign-out-button').click();
  await page.getByTestId('signin-submit').waitFor();
}

/**
 * A page on the station, signed in (as the test administrator unless told otherwise), that fails
 * the test file if the page throws or logs an unexpected error.
 */
export async function openStationPage(
  browser: Browser,
  url: string,
  options: { as?: SignInWith | null; viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1600, height: 1200 } });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    // A refused call (a taken name, a wrong PIN) is an answer the UI shows, not a page fault.
    const expectedRefusal = message.location().url.includes('/api/call/');
    if (message.type() === 'error' && !expectedRefusal) problems.push(message.text());
  });
  after(() => assert.deepEqual(problems, [], 'the page logged errors'));
  await page.goto(url);
  const as = options.as === undefined ? testAdmin : options.as;
  if (as) {
    await signIn(page, as);
    await page.getByRole('navigation').waitFor();
  }
  return page;
}
