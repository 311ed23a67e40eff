import type { Database } from 'better-sqlite3';
import { appendAudit, type AuditRecord } from '../audit/audit-log.repo';
import { writeTransaction } from '../store/write-transaction';
import { type CertificateRow, insertCertificate } from './certificates.repo';

interface Pending {
  row: CertificateRow;
  audit: AuditRecord;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface CertificateRecorder {
  /** Resolves once the certificate and its audit entry are committed to disk, not before. */
  record(row: CertificateRow, audit: AuditRecord): Promise<void>;
}

/**
 * Group commit: every certificate signed while the previous commit was being written goes into
 * the next transaction together. Each waits for its own durable commit, yet a gang of ports or a
 * batch job pays one fsync per group instead of one per certificate. Each row sits in its own
 * savepoint, so one bad row (a serial collision) fails alone.
 */
export function createCertificateRecorder(db: Database): CertificateRecorder {
  let queue: Pending[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    const failures = new Map<Pending, unknown>();
    try {
      writeTransaction(db, () => {
        for (const item of batch) {
          try {
            db.transaction(() => {
              insertCertificate(db, item.row);
              appendAudit(db, item.audit, item.row.issued_at);
            })();
          } catch (error) {
            failures.set(item, error);
          }
        }
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    for (const item of batch) {
      const failure = failures.get(item);
      if (failure === undefined) item.resolve();
      else item.reject(failure);
    }
  };

  return {
    record(row, audit) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ row, audit, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
