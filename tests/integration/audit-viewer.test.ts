import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fullAccessContext } from '../../main/core/api/call-context';
import { call } from '../helpers/pki';
import { testStation } from '../helpers/station';
import { seedUser, signedIn } from '../helpers/users';

const groupName = (entry: { details: string }) => (JSON.parse(entry.details) as { name: string }).name;

describe('audit viewer calls', () => {
  it('filters by actor, action, subject and time, pages newest first, and treats % and _ literally', async () => {
    const station = testStation();
    try {
      const alice = fullAccessContext('alice');
      const bob = fullAccessContext('bob_1');
      for (let i = 0; i < 5; i += 1) await call(station, 'deviceGroups.create', { name: `A-${i}` }, alice);
      await call(station, 'deviceGroups.create', { name: '100% Line' }, bob);

      const byAlice = await call(station, 'audit.list', { actor: 'alice', limit: 2 }, alice);
      assert.equal(byAlice.entries.length, 2);
      assert.deepEqual(byAlice.entries.map(groupName), ['A-4', 'A-3'], 'newest first');
      assert.ok(byAlice.nextBeforeSeq);
      const older = await call(
        station,
        'audit.list',
        { actor: 'alice', limit: 10, beforeSeq: byAlice.nextBeforeSeq },
        alice,
      );
      assert.deepEqual(older.entries.map(groupName), ['A-2', 'A-1', 'A-0']);
      assert.equal(older.nextBeforeSeq, null);

      assert.deepEqual((await call(station, 'audit.list', { subject: '100%' }, alice)).entries.map(groupName), [
        '100% Line',
      ]);
      assert.equal((await call(station, 'audit.list', { actor: 'b_b' }, alice)).entries.length, 0, '_ is literal');
      assert.equal((await call(station, 'audit.list', { action: 'group' }, alice)).entries.length, 6);
      const future = await call(station, 'audit.list', { from: '2999-01-01T00:00:00Z' }, alice);
      assert.equal(future.entries.length, 0);
      const bad = await station.dispatch('audit.list', { from: 'yesterday' }, alice);
      assert.equal(bad.ok ? 'ok' : bad.error.code, 'INVALID_INPUT');
    } finally {
      await station.close();
    }
  });

  it('exports CSV, audits the export under the person who took it, and verifies the chain', async () => {
    const station = testStation();
    try {
      await seedUser(station, {
        username: 'ada',
        roleNames: ['Solution administrator'],
        password: 'a-long-enough-password',
      });
      const { ctx } = await signedIn(station, { username: 'ada', password: 'a-long-enough-password' });
      // An actor name that a spreadsheet would run as a formula.
      await call(station, 'deviceGroups.create', { name: 'Line 7' }, fullAccessContext('=HYPERLINK("x")'));
      const exported = await call(station, 'audit.export', { action: 'deviceGroup' }, ctx());
      const lines = exported.csv.trimEnd().split('\r\n');
      assert.equal(lines[0], 'seq,time,actor,action,subject,details,hash');
      assert.equal(exported.rows, 1);
      assert.match(lines[1] ?? '', /,"'=HYPERLINK\(""x""\)",/, 'a formula is neutralised and quotes doubled');
      const latest = await call(station, 'audit.list', { limit: 1 }, ctx());
      assert.equal(latest.entries[0]?.action, 'audit.exported');
      assert.equal(latest.entries[0]?.actor, 'ada');
      const verified = await call(station, 'audit.verify', {}, ctx());
      assert.equal(verified.ok, true);
      assert.equal(verified.head?.seq, latest.entries[0]?.seq);
      const forged = await call(station, 'audit.verify', { anchor: { seq: 1, hash: 'f'.repeat(64) } }, ctx());
      assert.equal(forged.ok, false);
      assert.deepEqual(forged.problems, [{ kind: 'head-mismatch', seq: 1 }]);
    } finally {
      await station.close();
    }
  });
});
