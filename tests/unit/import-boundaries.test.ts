import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint();

/** Lints code as if it lived at `file`, with the project's real config, and returns one rule's messages. */
async function ruleErrors(rule: string, file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).filter((m) => m.ruleId === rule).map((m) => m.message);
}

const boundaryErrors = (file: string, code: string) => ruleErrors('trustline/import-boundaries', file, code);

describe('import boundaries', () => {
  it('keeps electron out of the core', async () => {
    const errors = await boundaryErrors('main/core/x.ts', "import { app } from 'electron';\nexport const a = app;\n");
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /must not import 'electron'/);
  });

  it('lets the Electron shell and the preload import electron', async () => {
    const code = "import { app } from 'electron';\nexport const a = app;\n";
    assert.deepEqual(await boundaryErrors('main/electron/x.ts', code), []);
    assert.deepEqual(await boundaryErrors('preload/x.ts', code), []);
  });

  it('keeps the renderer away from main/, hsm/ and Node', async () => {
    const code = [
      "import { openStation } from '../main/core/station';",
      "import { x } from '../hsm/x';",
      "import fs from 'node:fs';",
      "import path from 'path';",
      'export const all = [openStation, x, fs, path];',
    ].join('\n');
    const errors = await boundaryErrors('renderer/x.ts', code);
    assert.equal(errors.length, 4, errors.join('\n'));
  });

  it('lets the renderer import the contract', async () => {
    const code = "import { calls } from '../preload/contract';\nexport const c = calls;\n";
    assert.deepEqual(await boundaryErrors('renderer/x.ts', code), []);
  });

  it('keeps the contract free of Node and of every other layer', async () => {
    const code = "import os from 'node:os';\nimport { a } from '../../renderer/a';\nexport const b = [os, a];\n";
    assert.equal((await boundaryErrors('preload/contract/x.ts', code)).length, 2);
  });

  it('keeps the core from importing the renderer, including by dynamic import and require', async () => {
    const code = "export const a = import('../../renderer/main');\nexport const b = require('../../renderer/x');\n";
    assert.equal((await boundaryErrors('main/core/x.ts', code)).length, 2);
  });

  it('keeps the central server to the wire contract, away from the station and its contract', async () => {
    const code = [
      "import { openStation } from '../main/core/station';",
      "import { calls } from '../preload/contract';",
      "import { syncPaths } from '../sync-protocol';",
      'export const all = [openStation, calls, syncPaths];',
    ].join('\n');
    const errors = await boundaryErrors('server/x.ts', code);
    assert.equal(errors.length, 2, errors.join('\n'));
  });

  it('keeps the wire contract free of Node and of both sides, and lets the core and the CLI use it', async () => {
    const contract =
      "import os from 'node:os';\nimport { startServer } from '../server/start-server';\nexport const a = [os, startServer];\n";
    assert.equal((await boundaryErrors('sync-protocol/x.ts', contract)).length, 2);
    const wire = "import { syncPaths } from '../../sync-protocol';\nexport const p = syncPaths;\n";
    assert.deepEqual(await boundaryErrors('main/core/x.ts', wire), []);
    const server = "import { startServer } from '../../server/start-server';\nexport const s = startServer;\n";
    assert.deepEqual(await boundaryErrors('main/cli/x.ts', server), []);
    assert.equal(
      (await boundaryErrors('main/core/x.ts', server)).length,
      1,
      'the station core never imports the server',
    );
  });
});

describe('UI text', () => {
  it('must come from i18n in the renderer', async () => {
    const code = [
      "import { useTranslation } from 'react-i18next';",
      'export function A() {',
      '  const { t } = useTranslation();',
      '  return <button aria-label="Close dialog" title={t(\'common.close\')}>Save now</button>;',
      '}',
    ].join('\n');
    const errors = await ruleErrors('trustline/no-literal-ui-text', 'renderer/a.tsx', code);
    assert.equal(errors.length, 2, errors.join('\n'));
  });

  it('allows symbols and translated text', async () => {
    const code = [
      "import { useTranslation } from 'react-i18next';",
      'export function A() {',
      '  const { t } = useTranslation();',
      "  return <button aria-label={t('common.close')}>×</button>;",
      '}',
    ].join('\n');
    assert.deepEqual(await ruleErrors('trustline/no-literal-ui-text', 'renderer/a.tsx', code), []);
  });
});
