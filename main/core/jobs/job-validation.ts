import type { Database } from 'better-sqlite3';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { attributesSchema, type JobOptions, nameSchema, type StationKeyType } from '../../../preload/contract';
import { isStationError, StationError } from '../errors/station-error';
import { csrDer } from '../pki/csr';
import type { IssuanceEngine, IssueRequest } from '../issuance/issuance-engine';
import { statement } from '../store/statements';
import { writeTransaction } from '../store/write-transaction';
import { createCsrCheckPool } from './csr-check-pool';
import { readCsvRecords } from './csv-rows';
import { mapColumns } from './job-columns';
import { insertJobRow, type RowPayload } from './jobs.repo';
import { csrZipLimits, readZipEntries } from './zip-entries';

/** A row as read, before its checks. */
interface Candidate {
  line: number;
  name: string;
  payload: RowPayload;
  /** Why the row is refused before any check runs (a short row, a file in a ZIP folder …). */
  refusal?: string;
}

const batchSize = 100;
const checkWindow = 128;

async function* csvCandidates(file: string, options: JobOptions): AsyncGenerator<Candidate> {
  let columns: ReturnType<typeof mapColumns> | null = null;
  for await (const record of readCsvRecords(file)) {
    if (!columns) {
      columns = mapColumns(record.fields, options.kind, options.keySource);
      continue;
    }
    const at = (index: number | null) => (index === null ? '' : (record.fields[index] ?? '').trim());
    const keyText = at(columns.csr ?? columns.publicKey);
    yield {
      line: record.line,
      name: at(columns.name),
      payload: {
        description: at(columns.description),
        attributes: Object.fromEntries(columns.attributes.map(({ key, index }) => [key, at(index)])),
        ...(columns.csr !== null ? { csr: Buffer.from(keyText).toString('base64') } : {}),
        ...(columns.publicKey !== null ? { publicKey: Buffer.from(keyText).toString('base64') } : {}),
      },
      ...(record.fields.length !== columns.width
        ? { refusal: `has ${record.fields.length} fields where the header has ${columns.width}` }
        : {}),
    };
  }
  if (!columns) throw new StationError('JOB_INPUT_INVALID', 'The CSV file is empty.', { step: 'read-csv' });
}

async function* zipCandidates(file: string): AsyncGenerator<Candidate> {
  for await (const item of readZipEntries(file, csrZipLimits)) {
    const name = path.posix.basename(item.fileName).replace(/\.(csr|pem|der|req|p10)$/i, '');
    const payload: RowPayload = {
      description: '',
      attributes: {},
      ...(item.kind === 'file' ? { csr: item.content.toString('base64') } : {}),
    };
    yield {
      line: item.index,
      name,
      payload,
      ...(item.kind === 'refused' ? { refusal: `${item.fileName} ${item.reason}` } : {}),
    };
  }
}

function throwawayPublicKey(type: StationKeyType): Buffer {
  const key =
    type === 'RSA-2048'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: type === 'EC-P384' ? 'P-384' : 'P-256' });
  return key.publicKey.export({ type: 'spki', format: 'der' });
}

export interface ValidationDeps {
  db: Database;
  engine: IssuanceEngine;
  jobId: string;
  options: JobOptions;
  /** `rows` read so far; `stored` the rows committed so far, by status. */
  onProgress(rows: number, stored: { pending: number; invalid: number }): void;
  /** The station is closing: give up; the job is rejected and can be created again. */
  shouldStop(): boolean;
}

/**
 * Reads the whole input once, checks every row as the run would (name, duplicates, attributes,
 * the key and everything the policy asks of it) and stores each with its verdict and line
 * number. Nothing is issued or registered here.
 */
export async function validateJobInput(deps: ValidationDeps, file: string, format: 'csv' | 'zip'): Promise<void> {
  const { db, engine, options, jobId } = deps;
  const firstLine = new Map<string, number>();
  const stationKey = options.keySource === 'station' ? throwawayPublicKey(options.stationKeyType) : null;
  const existingDevice = statement(db, "SELECT id FROM devices WHERE group_id = ? AND name = ? AND state <> 'Deleted'");
  let batch: { line: number; name: string; payload: RowPayload; error?: StationError }[] = [];
  let rows = 0;
  const stored = { pending: 0, invalid: 0 };
  // Threads start with the first CSR: a job without CSRs starts none.
  const csrChecks = createCsrCheckPool();
  const engineCheck = engine.checker();
  const flush = () => {
    const toWrite = batch;
    batch = [];
    let pending = 0;
    writeTransaction(db, () => {
      for (const row of toWrite) {
        insertJobRow(db, jobId, { ...row, status: row.error ? 'invalid' : 'pending' });
        if (!row.error) pending += 1;
      }
    });
    stored.pending += pending;
    stored.invalid += toWrite.length - pending;
    deps.onProgress(rows, stored);
  };

  /** Why the row is refused, or nothing; and for a row with a CSR, its DER, which is what the row keeps. */
  const check = async (candidate: Candidate): Promise<{ error?: StationError; csr?: Buffer }> => {
    const error = (refusal: StationError) => ({ error: refusal });
    const invalid = (code: 'INVALID_INPUT' | 'DEVICE_NAME_TAKEN', message: string) =>
      error(new StationError(code, message, { step: 'validate-row' }));
    if (candidate.refusal) return invalid('INVALID_INPUT', `Line ${candidate.line} ${candidate.refusal}.`);
    const name = nameSchema.safeParse(candidate.name);
    if (!name.success) {
      return invalid('INVALID_INPUT', `device_name ${name.error.issues[0]?.message ?? 'is not valid'}.`);
    }
    // The name becomes a folder in the result and a line in its CSV: no line breaks or control characters.
    if (/\p{Cc}/u.test(candidate.name)) {
      return invalid('INVALID_INPUT', 'device_name must not hold line breaks or control characters.');
    }
    const key = candidate.name.toLowerCase();
    const earlier = firstLine.get(key);
    if (earlier !== undefined) {
      return invalid('DEVICE_NAME_TAKEN', `The device name "${candidate.name}" is also on line ${earlier}.`);
    }
    firstLine.set(key, candidate.line);
    const attributes = attributesSchema.safeParse(candidate.payload.attributes);
    if (!attributes.success) {
      const issue = attributes.error.issues[0];
      return invalid('INVALID_INPUT', `attr.${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is not valid'}.`);
    }
    const existing =
      options.groupId === undefined
        ? undefined
        : (existingDevice.get(options.groupId, candidate.name) as { id: string } | undefined);
    if (options.kind === 'register-devices') {
      return existing
        ? invalid('DEVICE_NAME_TAKEN', `A device named "${candidate.name}" already exists in the group.`)
        : {};
    }
    const { csr, publicKey } = candidate.payload;
    if (
      (csr ?? publicKey) === '' ||
      (options.keySource !== 'station' && csr === undefined && publicKey === undefined)
    ) {
      return invalid('INVALID_INPUT', options.keySource === 'zip' ? 'The file is empty.' : 'The key column is empty.');
    }
    let csrDerBytes: Buffer | undefined;
    if (csr !== undefined) {
      try {
        csrDerBytes = csrDer(Buffer.from(csr, 'base64'));
      } catch (refusal) {
        if (isStationError(refusal)) return error(refusal);
        throw refusal;
      }
      const refused = await csrChecks.check(csrDerBytes);
      if (refused) return error(refused);
    }
    const request: IssueRequest = {
      policyId: options.policyId ?? '',
      attributes: attributes.data,
      // The pool has read the CSR and verified its signature: the engine checks the rest.
      ...(csrDerBytes ? { csr: csrDerBytes, checked: true } : {}),
      ...(publicKey !== undefined ? { publicKey: Buffer.from(publicKey, 'base64') } : {}),
      ...(stationKey ? { stationGeneratedKey: stationKey } : {}),
      ...(options.kind === 'certificates-managed'
        ? existing
          ? { deviceId: existing.id }
          : { deviceName: candidate.name }
        : {}),
    };
    try {
      await engineCheck(request);
      return csrDerBytes ? { csr: csrDerBytes } : {};
    } catch (refusal) {
      if (isStationError(refusal)) return error(refusal);
      throw refusal;
    }
  };

  // Up to checkWindow rows are being checked at once, in a window that slides: a row's own checks
  // (name, duplicates) run in line order as its check starts, the CSRs are read and verified on
  // the pool's threads meanwhile, and rows are stored in line order as their verdicts come in —
  // the oldest first, so the threads always have rows to check while this thread reads on.
  const window: { candidate: Candidate; verdict: ReturnType<typeof check> }[] = [];
  const drain = async (keep: number) => {
    while (window.length > keep) {
      const { candidate, verdict } = window.shift() as (typeof window)[number];
      const { error, csr } = await verdict;
      batch.push({
        line: candidate.line,
        name: candidate.name.slice(0, 256),
        // A CSR is kept as DER: the run reads it without decoding its PEM again.
        payload: csr ? { ...candidate.payload, csr: csr.toString('base64') } : candidate.payload,
        ...(error ? { error } : {}),
      });
      if (batch.length < batchSize) continue;
      flush();
      if (deps.shouldStop()) {
        throw new StationError('JOB_INPUT_INVALID', 'The station stopped during validation; create the job again.', {
          step: 'validate-job',
        });
      }
    }
  };
  const candidates = format === 'csv' ? csvCandidates(file, options) : zipCandidates(file);
  try {
    for await (const candidate of candidates) {
      rows += 1;
      const verdict = check(candidate);
      // Awaited in order by drain(); marked handled now so a failure further on is not "unhandled" meanwhile.
      verdict.catch(() => undefined);
      window.push({ candidate, verdict });
      if (window.length >= checkWindow) await drain(checkWindow - 1);
    }
    await drain(0);
  } finally {
    await csrChecks.close();
  }
  flush();
  if (rows === 0) {
    throw new StationError('JOB_INPUT_INVALID', 'The input holds no rows.', { step: 'validate-job' });
  }
}
