import type { Database } from 'better-sqlite3';
import { fullAccessContext } from '../../main/core/api/call-context';
import { type Station, openStation } from '../../main/core/station';
import { tempDir } from './temp-dir';

export const ctx = { actor: 'test:operator' };
export const callContext = fullAccessContext('test:operator');

/** A real station on a real SQLite file in its own temporary folder. */
export function testStation(): Station {
  return openStation(tempDir());
}

/** Row counts of every table a write may touch: a rejected write must leave them all alone. */
export function rowCounts(db: Database): Record<string, number> {
  const tables = [
    'device_groups',
    'devices',
    'device_attributes',
    'audit_log',
    'certificate_authorities',
    'policies',
    'certificates',
    'recipes',
    'line_runs',
    'provisionings',
    'qa_verdicts',
    'users',
    'user_roles',
    'roles',
    'api_tokens',
    'jobs',
    'job_rows',
    // Every accepted write queues for the central server: a rejected one must not.
    'sync_outbox',
  ];
  return Object.fromEntries(
    tables.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]),
  );
}
