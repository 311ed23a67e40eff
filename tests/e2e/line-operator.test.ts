// The operator's screen over simulated devices on real PTYs: a gang goes to PASS with the shift
// counters following, a device that stores the wrong bytes shows FAIL with its reason (seen and
// heard), and a recipe with a label to scan takes the scanner's keystrokes.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { type Simulator, startSimulator } from '../../main/core/device/simulator/simulator';
import { launchChromium } from '../helpers/browser';
import { openStationPage, prepareLineStation, startServeWithPin } from '../helpers/line-e2e';
import { call } from '../helpers/pki';
import type { ServeProcess } from '../helpers/serve-process';
import { tempDir } from '../helpers/temp-dir';

const DEVICE_TIMEOUT = 40_000;

/** Waits until `locator` matches exactly `count` elements (a tile set reaching a state). */
async function waitForCount(locator: Locator, count: number, timeout = DEVICE_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeout;
  while ((await locator.count()) !== count) {
    if (Date.now() > deadline) assert.fail(`expected ${count} of ${locator.toString()}, saw ${await locator.count()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function startRecipe(page: Page, name: string): Promise<void> {
  await page.getByTestId('recipe-select').selectOption({ label: name });
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page
    .getByTestId('line-run')
    .filter({ hasText: `Running ${name}` })
    .waitFor();
}

async function stopLine(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await page.getByTestId('line-run').filter({ hasText: 'The line is stopped.' }).waitFor();
}

describe('the line operator screen in Chromium', () => {
  const dir = tempDir();
  let simulator: Simulator;
  let browser: Browser;
  let serve: ServeProcess;
  let page: Page;

  before(async () => {
    // One simulator for all three recipes: its serial numbers are unique only within itself.
    simulator = await startSimulator({
      ports: 6,
      baudRate: 115200,
      stateDir: path.join(dir, 'sim'),
      faults: { 5: { wrongReadback: true } },
    });
    const paths = simulator.ports.map((p) => p.stationPath);
    const { dataDir } = await prepareLineStation(dir, paths.slice(0, 4), {}, async (station, line) => {
      const shared = { groupId: line.groupId, policyId: line.policyId };
      await call(station, 'recipes.create', { ...shared, name: 'Fault fixture', ports: [paths[4]!] });
      await call(station, 'recipes.create', {
        ...shared,
        name: 'Labelled boards',
        ports: [paths[5]!],
        operatorAttributes: [{ key: 'label', label: 'Board label', pattern: '^LBL-[0-9]{4}$' }],
      });
    });
    browser = await launchChromium();
    serve = await startServeWithPin(dataDir);
    page = await openStationPage(browser, serve.url);
    await page.getByRole('navigation').getByRole('button', { name: 'Line', exact: true }).click();
    await page.getByRole('heading', { name: 'Line', level: 1 }).waitFor();
  });

  after(async () => {
    await serve?.stop();
    await browser?.close();
    await simulator?.close();
  });

  it('takes a gang of four to PASS and counts the shift', async () => {
    await startRecipe(page, 'Sensor v2');
    const tiles = page.getByTestId('port-tile');
    await waitForCount(tiles, 4, 10_000);
    await waitForCount(page.locator('[data-testid=port-tile][data-state=pass]'), 4);
    for (const [i, port] of simulator.ports.slice(0, 4).entries()) {
      const tile = tiles.nth(i);
      assert.match((await tile.getByTestId('tile-state').textContent()) ?? '', /✓\s*PASS/);
      assert.equal(await tile.getByTestId('tile-serial').textContent(), port.serialNumber);
      assert.match((await tile.getByTestId('tile-elapsed').textContent()) ?? '', /^\d+\.\d s$/);
    }
    assert.equal(await page.getByTestId('counter-passed').textContent(), '4');
    assert.equal(await page.getByTestId('counter-failed').textContent(), '0');
    assert.equal(await page.getByTestId('counter-yield').textContent(), '100 %');
    await page
      .getByTestId('throughput')
      .getByRole('img', { name: /4 passed, 0 failed/ })
      .waitFor();
    await stopLine(page);
  });

  it('shows a FAIL with its code and remedy, flashes it, and beeps', async () => {
    // Count the oscillators the screen starts: the audible cue, without needing speakers.
    // (A script string: this file is type-checked without the DOM library.)
    await page.evaluate(`{
      window.oscillators = 0;
      const original = AudioContext.prototype.createOscillator;
      AudioContext.prototype.createOscillator = function () {
        window.oscillators += 1;
        return original.call(this);
      };
    }`);
    await startRecipe(page, 'Fault fixture');
    const tile = page.locator('[data-testid=port-tile][data-state=fail]');
    await waitForCount(tile, 1);
    assert.match((await tile.getByTestId('tile-state').textContent()) ?? '', /✕\s*FAIL/);
    assert.match((await tile.getAttribute('class')) ?? '', /tile-fail/);
    const alert = tile.getByRole('alert');
    assert.match((await alert.textContent()) ?? '', /FAIL: READBACK_MISMATCH/);
    assert.match((await alert.textContent()) ?? '', /Put it aside for rework/);
    assert.equal(await page.getByTestId('counter-failed').textContent(), '1');
    assert.equal(await page.getByTestId('counter-yield').textContent(), '0 %');
    const oscillators = await page.evaluate<number>('window.oscillators');
    assert.ok(oscillators >= 1, 'the FAIL beeped');
    await page.screenshot({ path: '/tmp/line-operator.png', fullPage: true });
    await stopLine(page);
  });

  it('takes a scanned label from the keyboard, refusing one that does not match', async () => {
    await startRecipe(page, 'Labelled boards');
    const waiting = page.locator('[data-testid=port-tile][data-state=waiting-label]');
    await waitForCount(waiting, 1);
    assert.match((await waiting.getByTestId('tile-state').textContent()) ?? '', /Scan label/);

    // No field has focus after Start: the screen must still take the scanner's keystrokes.
    await page.keyboard.type('BAD-0001');
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('"BAD-0001" is not a valid Board label. Scan the label again.').waitFor();
    assert.equal(await waiting.count(), 1, 'a bad label leaves the device waiting');

    // Pick the tile (as an operator at a gang would), then scan.
    await waiting.getByTestId('tile-state').click();
    await page.getByText('Scan a label for port 1.', { exact: false }).waitFor();
    await page.keyboard.type('LBL-0001');
    await page.keyboard.press('Enter');
    const passed = page.locator('[data-testid=port-tile][data-state=pass]');
    await waitForCount(passed, 1);
    assert.equal(await passed.getByTestId('tile-label').textContent(), 'LBL-0001');
    assert.equal(await passed.getByTestId('tile-serial').textContent(), simulator.ports[5]!.serialNumber);
    await stopLine(page);
  });

  it('creates a recipe in its dialog, checking the form first', async () => {
    await page.getByRole('button', { name: 'New recipe' }).click();
    const dialog = page.getByTestId('recipe-dialog');
    await dialog.getByRole('button', { name: 'Create recipe' }).click();
    await dialog.getByText('Choose a policy.').waitFor();
    await dialog.getByText('One to 32 ports, each once.').waitFor();
    await dialog.getByRole('textbox', { name: /^Name/ }).fill('Bench fixture');
    await dialog.getByLabel('Device group').selectOption({ label: 'Line 1' });
    await dialog.getByLabel('Certificate policy').selectOption({ index: 1 });
    await dialog.getByLabel('Key generation').selectOption('station-generated');
    await dialog.getByLabel('Ports (one per line)').fill('/dev/ttyBENCH0\n/dev/ttyBENCH1\n');
    await dialog.getByRole('button', { name: 'Add label' }).click();
    await dialog.getByLabel('Attribute key').fill('label');
    await dialog.getByLabel('Label shown').fill('Board label');
    await dialog.getByLabel('Pattern (optional)').fill('^LBL-[0-9]{4}$');
    await dialog.getByRole('button', { name: 'Create recipe' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('status').getByText('Created the recipe "Bench fixture".').waitFor();
    await page.getByTestId('recipe-select').selectOption({ label: 'Bench fixture' });
  });
});
