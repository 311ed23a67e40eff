import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCodes } from '../../preload/contract';
import { de } from '../../renderer/i18n/locales/de';
import { en } from '../../renderer/i18n/locales/en';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('locales', () => {
  const english = flatten(en);
  const german = flatten(de);

  it('German has exactly the English keys', () => {
    assert.deepEqual([...german.keys()].sort(), [...english.keys()].sort());
  });

  it('no string is empty', () => {
    for (const [key, text] of [...english, ...german]) assert.notEqual(text.trim(), '', key);
  });

  it('translations keep the same placeholders', () => {
    for (const [key, text] of english) assert.deepEqual(placeholders(german.get(key) ?? ''), placeholders(text), key);
  });

  it('every error code has a message', () => {
    for (const code of errorCodes) assert.ok(english.has(`errors.${code}`), code);
  });
});
