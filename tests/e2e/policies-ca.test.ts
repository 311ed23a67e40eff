import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { type ServeProcess, startServe } from '../helpers/serve-process';
import { openStationPage, seedAdmin } from '../helpers/sign-in-page';
import { tempDir } from '../helpers/temp-dir';

const screenshotPath = '/tmp/policies-ca.png';

/** The preview's extensions but the subject key identifier, which comes from a throwaway key. */
function previewExtensions(preview: Locator): Promise<string[]> {
  return preview
    .locator('.preview-result tbody tr')
    .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '').join(' | ')))
    .then((rows) => rows.filter((r) => !r.startsWith('subjectKeyIdentifier')));
}

describe('policies & CA in Chromium', () => {
  const data = tempDir();
  let browser: Browser;
  let serve: ServeProcess;

  before(async () => {
    // The operator unlocks the key store through the UI; no PIN may come from the environment.
    delete process.env.TRUSTLINE_HSM_PIN;
    await seedAdmin(data);
    browser = await launchChromium();
    serve = await startServe(data);
  });
  after(async () => {
    await serve?.stop();
    await browser?.close();
  });

  it('unlocks the key store, builds a CA chain and a policy with a live preview', async () => {
    const page = await openStationPage(browser, serve.url, { viewport: { width: 1600, height: 1400 } });
    await page.getByRole('button', { name: 'Policies & CA' }).click();
    await page.getByRole('heading', { name: 'Policies & CA', level: 1 }).waitFor();

    // The key store starts locked; an empty PIN is caught in the form.
    const keyStore = page.getByTestId('key-store');
    await keyStore.getByTestId('key-store-state').filter({ hasText: 'Locked' }).waitFor();
    await keyStore.getByRole('button', { name: 'Unlock' }).click();
    await keyStore.getByText('Required.').waitFor();
    const pin = keyStore.getByLabel('Key store PIN');
    assert.equal(await pin.getAttribute('type'), 'password');
    await pin.fill('1234');
    await keyStore.getByRole('button', { name: 'Unlock' }).click();
    await keyStore.getByTestId('key-store-state').filter({ hasText: 'Unlocked' }).waitFor();
    await keyStore.getByLabel('Key store PIN').waitFor({ state: 'detached' });
    // The first unlock created the station's token: its SO PIN is shown once, until noted.
    const soPin = keyStore.getByTestId('so-pin');
    assert.match((await soPin.locator('code').textContent()) ?? '', /^[0-9a-f]{16,}$/);
    await soPin.getByRole('button', { name: 'I have written it down' }).click();
    await soPin.waitFor({ state: 'detached' });

    // A lab root CA, made through its dialog.
    const cas = page.getByTestId('cas-panel');
    await cas.getByText('No CAs yet').waitFor();
    await cas.getByRole('button', { name: 'Create root CA' }).click();
    const rootDialog = page.getByTestId('create-root-ca-dialog');
    await rootDialog.getByLabel('Name', { exact: true }).fill('Lab Root');
    await rootDialog.getByLabel('Common name (CN)').fill('Trustline Lab Root');
    await rootDialog.getByLabel('Organization (O)').fill('Example Devices');
    await rootDialog.getByLabel('Country (C)').fill('de');
    await rootDialog.getByLabel('Key algorithm').selectOption('EC-P256');
    await rootDialog.getByRole('button', { name: 'Create root CA' }).click();
    await rootDialog.waitFor({ state: 'hidden' });
    const card = (name: string) =>
      cas.getByTestId('ca-card').filter({ has: page.getByRole('heading', { name, exact: true }) });
    const rootCard = card('Lab Root');
    await rootCard.getByTestId('ca-status').filter({ hasText: 'Ready' }).waitFor();
    await rootCard.getByText('CN=Trustline Lab Root').first().waitFor();

    // An issuing CA signed at once by that root: its chain shows two certificates, root first.
    await cas.getByRole('button', { name: 'Create issuing CA' }).click();
    const issuingDialog = page.getByTestId('create-issuing-ca-dialog');
    await issuingDialog.getByLabel('Name', { exact: true }).fill('Line Issuing CA');
    await issuingDialog.getByLabel('Common name (CN)').fill('Trustline Line 1 Issuing CA');
    await issuingDialog.getByLabel('Organization (O)').fill('Example Devices');
    await issuingDialog.getByLabel('Sign with').selectOption({ label: 'Lab Root' });
    await issuingDialog.getByRole('button', { name: 'Create issuing CA' }).click();
    await issuingDialog.waitFor({ state: 'hidden' });
    const issuingCard = card('Line Issuing CA');
    await issuingCard.getByTestId('ca-status').filter({ hasText: 'Ready' }).waitFor();
    const chain = issuingCard.getByTestId('chain-cert');
    await chain.nth(1).waitFor();
    assert.equal(await chain.count(), 2);
    assert.match((await chain.nth(0).textContent()) ?? '', /Trustline Lab Root/);
    assert.match((await chain.nth(1).textContent()) ?? '', /Trustline Line 1 Issuing CA/);

    // Export shows the root's certificate as PEM.
    await rootCard.getByRole('button', { name: 'Export' }).click();
    const exportDialog = page.getByTestId('export-pem-dialog');
    await exportDialog.locator('textarea').waitFor();
    assert.match(await exportDialog.locator('textarea').inputValue(), /^-----BEGIN CERTIFICATE-----/);
    await exportDialog.getByRole('button', { name: 'Close' }).last().click();
    await exportDialog.waitFor({ state: 'hidden' });

    // A new policy starts from the first preset, tls-client, with every field of its body.
    const policies = page.getByTestId('policies-panel');
    await policies.getByText('No policies yet').waitFor();
    await policies.getByRole('button', { name: 'New policy' }).click();
    const editor = page.getByTestId('policy-editor');
    const presetSelect = editor.getByLabel('Start from preset');
    assert.equal(await presetSelect.inputValue(), 'tls-client');
    await editor.getByTestId('preset-hint').waitFor();
    const preview = editor.getByTestId('policy-preview');
    await preview.getByText('The preview appears once every field').waitFor();
    const days = editor.locator('input[name="validityDays"]');
    assert.equal(await days.inputValue(), '3650');
    await editor.getByLabel('Name', { exact: true }).fill('TLS devices');
    await editor.getByLabel('Issuing CA').selectOption({ label: 'Line Issuing CA' });
    const subject = preview.getByTestId('preview-subject');
    await subject.filter({ hasText: 'CN=000123' }).waitFor();
    const status = preview.getByTestId('preview-status');
    const upToDate = status.filter({ hasText: 'What this policy would issue' });

    // Matter DAC fills the whole editor, VID and PID rows included, and keeps the name and CA.
    // The issuing CA has an EC-P256 key (the dialog's default), as a Matter PAI must.
    await presetSelect.selectOption('matter-dac');
    const subjectTypes = editor.locator('select[name^="subject-type-"]');
    await editor.locator('select[name="subject-type-2"]').waitFor();
    assert.deepEqual(await Promise.all((await subjectTypes.all()).map((select) => select.inputValue())), [
      'CN',
      'matterVid',
      'matterPid',
    ]);
    assert.equal(await editor.locator('input[name="subject-value-1"]').inputValue(), '{attr.vid}');
    assert.equal(await editor.locator('input[name="subject-value-2"]').inputValue(), '{attr.pid}');
    assert.equal(await editor.getByLabel('Name', { exact: true }).inputValue(), 'TLS devices');
    assert.equal(await editor.getByLabel('Profile').inputValue(), 'matter-dac');
    await subject.filter({ hasText: 'CN=Matter DAC 000123' }).waitFor();
    await upToDate.waitFor();
    assert.match((await subject.textContent()) ?? '', /FFF1/);
    assert.match((await subject.textContent()) ?? '', /8000/);
    await preview.getByText('No problems for this sample device.').waitFor();
    if (process.env.TRUSTLINE_E2E_SCREENSHOTS) {
      await editor.evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: '/tmp/matter-editor.png' });
    }

    // Back to tls-client: its body again, not the generic fields the editor used to start from.
    await presetSelect.selectOption('tls-client');
    await editor.locator('select[name="subject-type-1"]').waitFor({ state: 'detached' });
    assert.equal(await days.inputValue(), '3650');
    const checked = async (name: string) => {
      const boxes = await editor.locator(`input[type="checkbox"][name="${name}"]:checked`).all();
      return Promise.all(boxes.map((box) => box.getAttribute('value')));
    };
    assert.deepEqual(await checked('allowedKeyTypes'), ['EC-P256', 'EC-P384', 'RSA']);
    assert.deepEqual(await checked('keyGeneration'), ['device-csr', 'device-public-key', 'station-generated']);
    assert.equal(await editor.getByLabel('Issuing CA').locator('option:checked').textContent(), 'Line Issuing CA');

    // The preview follows the template and the sample device.
    await editor.locator('input[name="subject-value-0"]').fill('dev-{attr.serial}');
    await subject.filter({ hasText: 'CN=dev-000123' }).waitFor();
    await preview.locator('input[name="sample-value-0"]').fill('000999');
    await subject.filter({ hasText: 'CN=dev-000999' }).waitFor();
    await upToDate.waitFor();

    // The previewed certificate lasts the preset's 3650 days, ending with its CA at the latest:
    // the CA was made seconds earlier for 3650 days, so the two end within a minute of each other.
    const previewed = new X509Certificate(await preview.locator('textarea.pem').inputValue());
    const lifetime = (Date.parse(previewed.validTo) - Date.parse(previewed.validFrom)) / 86_400_000;
    assert.ok(lifetime <= 3650 && lifetime > 3650 - 60 / 86_400, `${lifetime} days`);
    const extensionsShown = await previewExtensions(preview);

    // The chain and the preview on one screen, for a person to look at.
    await issuingCard.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: screenshotPath });

    await editor.getByRole('button', { name: 'Create policy' }).click();
    await editor.waitFor({ state: 'detached' });
    const row = page.getByTestId('policy-row').filter({ hasText: 'TLS devices' });
    await row.waitFor();
    const rowText = (await row.textContent()) ?? '';
    assert.match(rowText, /Line Issuing CA/);
    assert.match(rowText, /EC-P256, EC-P384, RSA/);
    assert.match(rowText, /3650 days/);

    // Editing reads the stored policy back: it is the body the preview showed.
    await row.getByRole('button', { name: 'Edit TLS devices' }).click();
    await editor.getByRole('heading', { name: 'Edit the policy "TLS devices"' }).waitFor();
    assert.equal(await editor.locator('input[name="subject-value-0"]').inputValue(), 'dev-{attr.serial}');
    assert.equal(await days.inputValue(), '3650');
    assert.deepEqual(await checked('allowedKeyTypes'), ['EC-P256', 'EC-P384', 'RSA']);
    assert.deepEqual(await checked('keyGeneration'), ['device-csr', 'device-public-key', 'station-generated']);
    await subject.filter({ hasText: 'CN=dev-000123' }).waitFor();
    await upToDate.waitFor();
    assert.deepEqual(await previewExtensions(preview), extensionsShown);
    await editor.getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('policy-row').filter({ hasText: 'TLS devices' }).waitFor();
  });
});
