// The result ZIP of a large job: more entries than a plain ZIP can count (ZIP64), stored, deflated,
// repeated and streamed entries side by side, all read back by Info-ZIP's unzip.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ZipWriter } from '../../main/core/jobs/zip-writer';
import { tempDir } from '../helpers/temp-dir';

const dir = tempDir('trustline-zip-');

describe('ZIP writer', () => {
  for (const spooled of [true, false]) {
    it(`writes 70,000 entries as ZIP64 that unzip tests clean, each with its own content (central directory ${spooled ? 'spooled to a file' : 'in memory'})`, async () => {
      const file = path.join(dir, `big-${spooled}.zip`);
      // The central directory (about 5 MB here, several blocks) waits in its spool file or in memory.
      const spool = path.join(dir, 'central');
      const zip = new ZipWriter(createWriteStream(file), {
        namesUnique: true,
        ...(spooled ? { centralDirectoryFile: spool } : {}),
      });
      const shared = Buffer.from('-----BEGIN CERTIFICATE-----\n'.repeat(20));
      const count = 70_000;
      for (let i = 0; i < count; i += 1) {
        if (i % 2 === 0) await zip.add(`d${i}/certificate.pem`, Buffer.from(`certificate ${i} `.repeat(i % 50)));
        else if (i % 3 === 0) await zip.add(`d${i}/chain.pem`, shared, { repeated: true });
        else await zip.add(`d${i}/key.p7m`, Buffer.from([i & 0xff, (i >> 8) & 0xff, 0, 1]), { compress: false });
      }
      await zip.addStream(
        'results.csv',
        (function* () {
          for (let i = 0; i < 1000; i += 1) yield Buffer.from(`${i},row ${i}\n`);
        })(),
      );
      assert.equal(existsSync(spool), spooled, 'full blocks of the central directory wait on disk when spooled');
      await zip.finish();
      assert.equal(existsSync(spool), false);

      // unzip -t inflates every entry and checks its CRC.
      const tested = execFileSync('unzip', ['-tq', file], { encoding: 'utf8' });
      assert.match(tested, /No errors detected/);
      const names = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
        .trim()
        .split('\n');
      assert.equal(names.length, count + 1);
      assert.equal(names[0], 'd0/certificate.pem');
      assert.equal(names.at(-1), 'results.csv');

      const out = path.join(dir, `out-${spooled}`);
      execFileSync('unzip', ['-q', file, 'd68998/*', 'd69999/*', 'd69995/*', 'results.csv', '-d', out]);
      assert.equal(
        readFileSync(path.join(out, 'd68998/certificate.pem'), 'utf8'),
        'certificate 68998 '.repeat(68998 % 50),
      );
      assert.deepEqual(readFileSync(path.join(out, 'd69999/chain.pem')), shared);
      assert.deepEqual([...readFileSync(path.join(out, 'd69995/key.p7m'))], [69995 & 0xff, (69995 >> 8) & 0xff, 0, 1]);
      const csv = readFileSync(path.join(out, 'results.csv'), 'utf8').split('\n');
      assert.equal(csv[999], '999,row 999');
    });
  }

  it('refuses a name it already holds when it keeps the names', async () => {
    const zip = new ZipWriter(createWriteStream(path.join(dir, 'dup.zip')));
    await zip.add('a.txt', Buffer.from('a'));
    await assert.rejects(zip.add('a.txt', Buffer.from('b')), /already holds a\.txt/);
    await zip.finish();
  });
});
