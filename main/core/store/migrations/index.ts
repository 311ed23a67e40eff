import { deviceGroups } from './0001-device-groups';
import { devices } from './0002-devices';
import { deviceAttributes } from './0003-device-attributes';
import { auditLog } from './0004-audit-log';
import { deviceSearch } from './0005-device-search';
import { deviceStatusStateIndexes } from './0006-device-status-state-indexes';
import { certificateAuthorities } from './0007-certificate-authorities';
import { policies } from './0008-policies';
import { certificates } from './0009-certificates';
import { line } from './0010-line';
import { users } from './0011-users';
import { jobs } from './0012-jobs';
import { syncOutbox } from './0013-sync-outbox';
import { jobLease } from './0014-job-lease';
import type { Migration } from './migration';

/** Every migration in order. Append only: a shipped migration is never edited or removed. */
export const migrations: readonly Migration[] = [
  deviceGroups,
  devices,
  deviceAttributes,
  auditLog,
  deviceSearch,
  deviceStatusStateIndexes,
  certificateAuthorities,
  policies,
  certificates,
  line,
  users,
  jobs,
  syncOutbox,
  jobLease,
];

export const latestVersion = migrations.length;
export type { Migration } from './migration';
