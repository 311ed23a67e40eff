// The Jobs screen in Chromium: a CSV of devices registered as a batch, an unmanaged certificate
// job whose bad row is shown by its line and must be skipped on purpose before it starts, its
// result ZIP downloaded, and a line operator who never sees the area.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openStation } from '../../main/core/station';
import { launchChromium } from '../helpers/browser';
import { E2E_PIN, startServeWithPin } from '../helpers/line-e2e';
import { call, makeCsr, setUpCa } from '../helpers/pki';
import type { ServeProcess } from '../helpers/serve-process';
import { openStationPage, signOut } from '../helpers/sign-in-page';
import { tempDir } from '../helpers/temp-dir';
import { seedAdmin, seedUser } from '../helpers/users';

const operator = { username: 'olga', pin: '2580' } as const;

/**
 * The administrator, a line operator, a CA with a TLS-client policy that takes device CSRs and
 * station-made keys, and a device group, written before serve opens the folder (SoftHSM2 serves
 * one process per token folder).
 */
async function prepareStation(dataDir: string, pkiDir: string): Promise<void> {
  const station = openStation(dataDir, { keyStore: { pin: E2E_PIN } });
  try {
    await seedAdmin(station);
    await seedUser(station, { username: operator.username, roleNames: ['Line operator'], pin: operator.pin });
    const ca = await setUpCa(station, pkiDir);
    await call(station, 'policies.create', {
      preset: 'tls-client',
      body: { name: 'Batch TLS', issuingCaId: ca.issuingId, keyGeneration: ['device-csr', 'station-generated'] },
    });
    await call(station, 'deviceGroups.create', { name: 'Batch group' });
  } finally {
    await station.close();
  }
}

const detail = (page: Page) => page.getByTestId('job-detail');

/** Waits until the open job shows `state`. */
async function jobState(page: Page, state: string): Promise<void> {
  await page.locator(`[data-testid="job-detail"][data-state="${state}"]`).waitFor({ timeout: 30_000 });
}

async function countOf(page: Page, key: string): Promise<string | null> {
  return detail(page).getByTestId(`job-count-${key}`).getAttribute('data-value');
}

describe('the Jobs screen in Chromium', () => {
  const dir = tempDir();
  const dataDir = path.join(dir, 'station');
  const files = path.join(dir, 'files');
  let browser: Browser;
  let serve: ServeProcess;
  let page: Page;

  before(async () => {
    mkdirSync(files, { recursive: true });
    await prepareStation(dataDir, files);
    browser = await launchChromium();
    serve = await startServeWithPin(dataDir);
    page = await openStationPage(browser, serve.url);
    await page.getByRole('navigation').getByRole('button', { name: 'Jobs', exact: true }).click();
    await page.getByRole('heading', { name: 'Batch jobs', level: 1 }).waitFor();
  });

  after(async () => {
    await serve?.stop();
    await browser?.close();
  });

  it('offers a CSV template, registers devices from a CSV, and they appear under Devices', async () => {
    await page.getByTestId('job-kind').selectOption('register-devices');
    const templateSaved = page.waitForEvent('download');
    await page.getByTestId('job-template').click();
    const template = await templateSaved;
    assert.equal(template.suggestedFilename(), 'trustline-register-devices-template.csv');

    // Sending without a group or a file: the form says what is missing and sends nothing.
    await page.getByTestId('job-submit').click();
    await page.getByText('Choose a device group.').waitFor();
    await page.getByText('Choose the input file.').waitFor();
    assert.equal(await page.getByTestId('job-row').count(), 0);

    const csv = path.join(files, 'devices.csv');
    writeFileSync(
      csv,
      'device_name,description,attr.mac\nbatch-1,first,00:11:22:33:44:01\nbatch-2,,00:11:22:33:44:02\n',
    );
    await page.getByTestId('job-group').selectOption({ label: 'Batch group' });
    await page.getByTestId('job-file').setInputFiles(csv);
    await page.getByTestId('job-submit').click();

    await jobState(page, 'validated');
    assert.equal(await countOf(page, 'valid'), '2');
    assert.equal(await countOf(page, 'invalid'), '0');
    assert.equal(await detail(page).getByTestId('job-skip-invalid').count(), 0);
    await detail(page).getByTestId('job-start').click();
    await jobState(page, 'completed');
    assert.equal(await countOf(page, 'done'), '2');
    await detail(page).getByTestId('job-summary').filter({ hasText: '2 done, 0 failed' }).waitFor();
    const row = page.locator('[data-testid="job-row"][data-state="completed"]').filter({ hasText: 'devices.csv' });
    await row.filter({ hasText: 'Register devices' }).filter({ hasText: 'by ada' }).waitFor();

    await page.getByRole('navigation').getByRole('button', { name: 'Devices', exact: true }).click();
    await page.getByTestId('device-row').filter({ hasText: 'batch-1' }).waitFor();
    await page.getByTestId('device-row').filter({ hasText: 'batch-2' }).waitFor();
    await page.getByRole('navigation').getByRole('button', { name: 'Jobs', exact: true }).click();
    await page.getByRole('heading', { name: 'Batch jobs', level: 1 }).waitFor();
  });

  it('shows an unmanaged certificate job’s bad row by line, starts only with it skipped, and hands out the result ZIP', async () => {
    const good = [1, 2].map((i) => {
      const { csrPem } = makeCsr(files, `unmanaged-${i}`, 'P-256');
      return `unmanaged-${i},"${csrPem.trim()}",SN00000${i}`;
    });
    // The bad row sits right under the header: line 2, as a text editor counts.
    const csv = path.join(files, 'certificates.csv');
    writeFileSync(csv, `${['device_name,csr,attr.serial', 'broken-1,not a CSR,SN000009', ...good].join('\r\n')}\r\n`);

    await page.getByTestId('job-kind').selectOption('certificates-unmanaged');
    await page.getByTestId('job-key-source').selectOption('csv');
    await page.getByTestId('job-policy').selectOption({ label: 'Batch TLS' });
    await page.getByTestId('job-file').setInputFiles(csv);
    await page.getByTestId('job-submit').click();

    await jobState(page, 'validated');
    assert.equal(await countOf(page, 'valid'), '2');
    assert.equal(await countOf(page, 'invalid'), '1');
    const problem = detail(page).locator('[data-testid="job-problem"][data-line="2"]');
    await problem.waitFor();
    const cells = await problem.getByRole('cell').allTextContents();
    assert.deepEqual(cells.slice(0, 3), ['2', 'broken-1', 'Invalid']);
    assert.notEqual(cells[4]?.trim(), '');

    const start = detail(page).getByTestId('job-start');
    assert.equal(await start.isDisabled(), true);
    const skip = detail(page).getByTestId('job-skip-invalid');
    await detail(page).getByText('Skip the invalid row').waitFor();
    await skip.check();
    assert.equal(await start.isEnabled(), true);
    await start.click();
    await jobState(page, 'completed');
    assert.equal(await countOf(page, 'done'), '2');
    assert.equal(await countOf(page, 'skipped'), '1');

    const saved = page.waitForEvent('download');
    await detail(page).getByTestId('job-download').click();
    const download = await saved;
    assert.match(download.suggestedFilename(), /^trustline-job-[0-9a-f-]{36}\.zip$/);
    const zipFile = path.join(files, 'result.zip');
    await download.saveAs(zipFile);
    const listing = execFileSync('unzip', ['-l', zipFile], { encoding: 'utf8' });
    assert.match(listing, /\bresults\.csv\b/);
    assert.match(listing, /unmanaged-1\/certificate\.pem/);
  });

  it('downloads the result under a passcode as …-result.zip.p7m, which openssl opens', async () => {
    const passcodeField = detail(page).getByTestId('job-result-passcode');
    await passcodeField.fill('short');
    assert.equal(await detail(page).getByTestId('job-download').isDisabled(), true);
    await detail(page).getByText('The passcode needs 8 to 128 characters.').waitFor();
    await passcodeField.fill('Result passcode 2026!');
    const saved = page.waitForEvent('download');
    await detail(page).getByTestId('job-download').click();
    const download = await saved;
    assert.match(download.suggestedFilename(), /^trustline-job-[0-9a-f-]{36}-result\.zip\.p7m$/);
    assert.equal(await passcodeField.inputValue(), '', 'the field forgets the passcode');
    const p7mFile = path.join(files, 'result.zip.p7m');
    await download.saveAs(p7mFile);
    const zipFile = path.join(files, 'opened.zip');
    execFileSync('openssl', [
      ...['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', p7mFile],
      ...['-pwri_password', 'Result passcode 2026!', '-out', zipFile],
    ]);
    assert.match(execFileSync('unzip', ['-l', zipFile], { encoding: 'utf8' }), /unmanaged-1\/certificate\.pem/);
  });

  it('keeps the Jobs area from a line operator', async () => {
    await signOut(page);
    const operatorPage = await openStationPage(browser, serve.url, { as: operator });
    const navigation = operatorPage.getByRole('navigation');
    await navigation.getByRole('button', { name: 'Line', exact: true }).waitFor();
    assert.equal(await navigation.getByRole('button', { name: 'Jobs', exact: true }).count(), 0);
    assert.equal(await operatorPage.getByTestId('jobs-screen').count(), 0);
    await operatorPage.close();
  });
});
