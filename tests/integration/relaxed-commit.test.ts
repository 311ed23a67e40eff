// The line's step records commit without waiting for the disk (synchronous = NORMAL) and put the
// connection back to FULL afterwards, so every other write (and every certificate) still waits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStationDatabase } from '../../main/core/store/database';
import { relaxedWriteTransaction, writeTransaction } from '../../main/core/store/write-transaction';
import { tempDir } from '../helpers/temp-dir';

const NORMAL = 1;
const FULL = 2;

describe('relaxed write transactions', () => {
  it('commit with synchronous NORMAL and leave the connection at FULL', () => {
    const db = openStationDatabase(tempDir());
    try {
      assert.equal(db.pragma('synchronous', { simple: true }), FULL);
      const during = relaxedWriteTransaction(db, () => {
        db.prepare(
          "INSERT INTO device_groups (id, name, description, created_at, updated_at) VALUES ('g', 'G', '', 't', 't')",
        ).run();
        return db.pragma('synchronous', { simple: true });
      });
      assert.equal(during, NORMAL);
      assert.equal(db.pragma('synchronous', { simple: true }), FULL);
      assert.equal((db.prepare('SELECT count(*) AS n FROM device_groups').get() as { n: number }).n, 1);
    } finally {
      db.close();
    }
  });

  it('inside another transaction, leave the outer commit to decide', () => {
    const db = openStationDatabase(tempDir());
    try {
      const inner = writeTransaction(db, () =>
        relaxedWriteTransaction(db, () => db.pragma('synchronous', { simple: true })),
      );
      assert.equal(inner, FULL);
    } finally {
      db.close();
    }
  });

  it('put FULL back when the change throws, and roll the change back', () => {
    const db = openStationDatabase(tempDir());
    try {
      assert.throws(
        () =>
          relaxedWriteTransaction(db, () => {
            db.prepare(
              "INSERT INTO device_groups (id, name, description, created_at, updated_at) VALUES ('g', 'G', '', 't', 't')",
            ).run();
            throw new Error('refused');
          }),
        /refused/,
      );
      assert.equal(db.pragma('synchronous', { simple: true }), FULL);
      assert.equal((db.prepare('SELECT count(*) AS n FROM device_groups').get() as { n: number }).n, 0);
    } finally {
      db.close();
    }
  });
});
