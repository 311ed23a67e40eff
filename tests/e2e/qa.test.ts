// The QA technician's screen: a device the line passed is read back on its port, every check
// passes, a PASS verdict is filed with the technician's name, and the lot's report downloads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type Simulator, startSimulator } from '../../main/core/device/simulator/simulator';
import { launchChromium } from '../helpers/browser';
import { allIn, waitForLine } from '../helpers/line';
import { openStationPage, prepareLineStation, startServeWithPin } from '../helpers/line-e2e';
import { call } from '../helpers/pki';
import type { ServeProcess } from '../helpers/serve-process';
import { tempDir } from '../helpers/temp-dir';

describe('the QA screen in Chromium', () => {
  const dir = tempDir();
  let simulator: Simulator;
  let browser: Browser;
  let serve: ServeProcess;
  let page: Page;

  before(async () => {
    simulator = await startSimulator({ ports: 1, baudRate: 115200, stateDir: path.join(dir, 'sim') });
    // The line runs here, before serve: QA starts from a device that already PASSed in lot QA-LOT-1.
    const { dataDir } = await prepareLineStation(dir, [simulator.ports[0]!.stationPath], {}, async (station, line) => {
      await call(station, 'line.start', { recipeId: line.recipe.id, lot: 'QA-LOT-1' });
      const status = await waitForLine(station, allIn('pass', 'fail'));
      assert.equal(status.ports[0]?.state, 'pass', JSON.stringify(status.ports[0]?.failure));
      await call(station, 'line.stop', {});
    });
    browser = await launchChromium();
    serve = await startServeWithPin(dataDir);
    page = await openStationPage(browser, serve.url);
    await page.getByRole('navigation').getByRole('button', { name: 'QA', exact: true }).click();
    await page.getByRole('heading', { name: 'QA', level: 1 }).waitFor();
  });

  after(async () => {
    await serve?.stop();
    await browser?.close();
    await simulator?.close();
  });

  it('inspects the device on its port, files a PASS verdict and exports the lot', async () => {
    const serial = simulator.ports[0]!.serialNumber;
    await page.getByLabel('Port path').fill(simulator.ports[0]!.stationPath);
    await page.getByRole('button', { name: 'Inspect', exact: true }).click();
    const result = page.getByTestId('qa-result');
    await result.waitFor({ timeout: 30_000 });
    await result.getByRole('heading', { name: `Device ${serial}` }).waitFor();
    const checks = result.getByTestId('qa-check');
    assert.ok((await checks.count()) >= 5);
    assert.deepEqual(
      [...new Set(await checks.evaluateAll((items) => items.map((item) => item.getAttribute('data-ok'))))],
      ['true'],
      await checks.allTextContents().then((texts) => texts.join('\n')),
    );
    assert.equal(await result.getByTestId('qa-overall').textContent(), '✓ All checks that could run passed');
    assert.match((await result.getByTestId('qa-certificate').textContent()) ?? '', new RegExp(serial));

    // The technician's name is required before a verdict is filed.
    await result.getByRole('button', { name: 'Record PASS' }).click();
    await result.getByText('Required.').waitFor();
    await result.getByLabel('Technician').fill('Dana Weber');
    await result.getByLabel('Notes').fill('Sample 1 of lot QA-LOT-1');
    await result.getByRole('button', { name: 'Record PASS' }).click();
    await result.getByTestId('qa-recorded').filter({ hasText: 'Verdict recorded: PASS' }).waitFor();

    const reports = page.getByTestId('qa-reports');
    assert.match((await reports.getByTestId('lot-select').textContent()) ?? '', /QA-LOT-1/);
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      reports.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    assert.match(csv.suggestedFilename(), /\.csv$/);
    const text = readFileSync(await csv.path(), 'utf8');
    const row = text.split('\r\n').find((line) => line.includes(serial));
    assert.ok(row, `the CSV has a row for ${serial}:\n${text}`);
    assert.match(row, /\bpass\b/);
    assert.match(text.split('\r\n')[0] ?? '', /verdict/);

    const [pdf] = await Promise.all([
      page.waitForEvent('download'),
      reports.getByRole('button', { name: 'Export PDF' }).click(),
    ]);
    assert.match(pdf.suggestedFilename(), /\.pdf$/);
    assert.equal(
      readFileSync(await pdf.path())
        .subarray(0, 5)
        .toString('latin1'),
      '%PDF-',
    );
  });
});
