import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Database } from 'better-sqlite3';
import { openDatabaseFile, openStationDatabase } from '../../main/core/store/database';
import { migrate } from '../../main/core/store/migrate';
import { latestVersion, type Migration, migrations } from '../../main/core/store/migrations';
import { tempDir } from '../helpers/temp-dir';

/** The schema as SQLite reports it, so two databases can be compared exactly. */
function schemaOf(db: Database): string[] {
  return (
    db
      .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
      .all() as {
      type: string;
      name: string;
      sql: string;
    }[]
  ).map((row) => `${row.type} ${row.name}: ${row.sql}`);
}

const groupId = '7f1c2b9e-1d2a-4c3b-9a8e-0f1e2d3c4b5a';
const deviceId = '0b9e3c4d-5f6a-4b7c-8d9e-0f1a2b3c4d5e';
const caId = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const policyId = '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a';
const certificateId = '3e4f5a6b-7c8d-4e9f-8a1b-2c3d4e5f6a7b';

/** Rows that are valid at each version, written by hand the way that version's code would. */
const seedAt: Record<number, (db: Database) => void> = {
  1: (db) =>
    db
      .prepare("INSERT INTO device_groups (id, name, created_at, updated_at) VALUES (?, 'Line 1', 't', 't')")
      .run(groupId),
  2: (db) =>
    db
      .prepare("INSERT INTO devices (id, name, group_id, created_at, updated_at) VALUES (?, 'gw-1', ?, 't', 't')")
      .run(deviceId, groupId),
  3: (db) => db.prepare("INSERT INTO device_attributes (device_seq, key, value) VALUES (1, 'mac', '00:11')").run(),
  4: (db) =>
    db
      .prepare(
        "INSERT INTO audit_log (seq, time, actor, action, subject, details, prev_hash, hash) VALUES (1, 't', 'a', 'x', 's', '{}', 'p', 'h')",
      )
      .run(),
  7: (db) =>
    db
      .prepare(
        "INSERT INTO certificate_authorities (id, name, kind, key_id, subject, created_at, updated_at) VALUES (?, 'CA', 'issuing', 'ab', 'CN=CA', 't', 't')",
      )
      .run(caId),
  8: (db) =>
    db
      .prepare(
        "INSERT INTO policies (id, name, issuing_ca_id, body, created_at, updated_at) VALUES (?, 'P', ?, '{}', 't', 't')",
      )
      .run(policyId, caId),
  9: (db) =>
    db
      .prepare(
        `INSERT INTO certificates (id, serial, subject, not_before, not_after, der, policy_id, ca_id, device_id, key_type, issued_at, issued_by)
         VALUES (?, '40ab', 'CN=x', 't', 't', x'3000', ?, ?, ?, 'EC P-256', 't', 'a')`,
      )
      .run(certificateId, policyId, caId, deviceId),
};

describe('migrations', () => {
  it('are numbered 1..N without gaps', () => {
    assert.deepEqual(
      migrations.map((m) => m.version),
      migrations.map((_, i) => i + 1),
    );
  });

  it('build the whole schema from an empty file, with STRICT tables, WAL and foreign keys', () => {
    const db = openStationDatabase(tempDir());
    assert.equal(db.pragma('user_version', { simple: true }), latestVersion);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
      sql: string;
    }[];
    // SQLite's own bookkeeping (sqlite_sequence, for the outbox's AUTOINCREMENT) is not ours to make STRICT.
    const own = tables.filter(
      (t) =>
        !t.sql.startsWith('CREATE VIRTUAL') && !t.name.startsWith('device_search_') && !t.name.startsWith('sqlite_'),
    );
    assert.deepEqual(own.map((t) => t.name).sort(), [
      'api_tokens',
      'audit_log',
      'certificate_authorities',
      'certificates',
      'device_attributes',
      'device_groups',
      'devices',
      'job_rows',
      'jobs',
      'line_runs',
      'policies',
      'provisionings',
      'qa_verdicts',
      'recipes',
      'roles',
      'sync_outbox',
      'sync_state',
      'user_roles',
      'users',
    ]);
    for (const table of own) assert.match(table.sql, /STRICT/, table.name);
    db.close();
  });

  for (let from = 0; from < latestVersion; from += 1) {
    it(`upgrade a database at version ${from} to the latest, keeping its rows`, () => {
      const dir = tempDir();
      const db = openDatabaseFile(path.join(dir, 'old.sqlite'));
      migrate(db, { target: from });
      for (let v = 1; v <= from; v += 1) seedAt[v]?.(db);
      const report = migrate(db);
      assert.equal(report.from, from);
      assert.equal(report.to, latestVersion);
      assert.equal(report.applied.length, latestVersion - from);

      const fresh = openStationDatabase(tempDir());
      assert.deepEqual(schemaOf(db), schemaOf(fresh));
      fresh.close();
      if (from >= 1)
        assert.equal((db.prepare('SELECT name FROM device_groups').get() as { name: string }).name, 'Line 1');
      if (from >= 3) {
        assert.equal((db.prepare('SELECT value FROM device_attributes').get() as { value: string }).value, '00:11');
      }
      if (from >= 4) {
        assert.equal((db.prepare('SELECT hash FROM audit_log').get() as { hash: string }).hash, 'h');
      }
      if (from >= 9) {
        const row = db.prepare('SELECT serial, provisioning_id FROM certificates').get() as {
          serial: string;
          provisioning_id: string | null;
        };
        // Certificates from before the line belong to no line attempt.
        assert.deepEqual([row.serial, row.provisioning_id], ['40ab', null]);
      }
      // Records written before the outbox existed are queued for the central server once each.
      const queued = db.prepare('SELECT kind, count(*) AS n FROM sync_outbox GROUP BY kind ORDER BY kind').all();
      assert.deepEqual(queued, [
        ...(from >= 4 ? [{ kind: 'audit', n: 1 }] : []),
        ...(from >= 9 ? [{ kind: 'certificate', n: 1 }] : []),
        ...(from >= 2 ? [{ kind: 'device', n: 1 }] : []),
      ]);
      if (from >= 2) {
        // Devices written before the search index existed are found through it afterwards.
        const found = db.prepare('SELECT rowid FROM device_search WHERE device_search MATCH ?').all('"gw-"');
        assert.equal(found.length, 1);
      }
      db.close();
    });
  }

  it('do nothing when the database is current', () => {
    const dir = tempDir();
    openStationDatabase(dir).close();
    const db = openStationDatabase(dir);
    assert.deepEqual(migrate(db), { from: latestVersion, to: latestVersion, applied: [] });
    db.close();
  });

  it('refuse a database written by a newer Trustline, changing nothing', () => {
    const dir = tempDir();
    const db = openDatabaseFile(path.join(dir, 'new.sqlite'));
    db.pragma(`user_version = ${latestVersion + 1}`);
    assert.throws(() => migrate(db), { code: 'STORE_TOO_NEW' });
    assert.equal(db.pragma('user_version', { simple: true }), latestVersion + 1);
    assert.deepEqual(schemaOf(db), []);
    db.close();
  });

  it('roll back every step of a run when one fails', () => {
    const db = openDatabaseFile(path.join(tempDir(), 'broken.sqlite'));
    const broken: Migration = { version: latestVersion + 1, name: 'broken', up: (d) => d.exec('CREATE TABLE oops (') };
    assert.throws(() => migrate(db, { migrations: [...migrations, broken] }), { code: 'STORE_MIGRATION_FAILED' });
    assert.equal(db.pragma('user_version', { simple: true }), 0);
    assert.deepEqual(schemaOf(db), []);
    db.close();
  });
});
