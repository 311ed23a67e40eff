import type { Migration } from './migration';

/** Status and state filters count and page through an index instead of every device. */
export const deviceStatusStateIndexes: Migration = {
  version: 6,
  name: 'device-status-state-indexes',
  up(db) {
    db.exec(`
      CREATE INDEX devices_by_status ON devices (status, seq);
      CREATE INDEX devices_by_state ON devices (state, seq);
    `);
  },
};
