/**
 * The line's durable memory: runs (lots) and one row per device attempt holding the last durable
 * step. Each step is written with its audit entry and the device's lifecycle state in one
 * transaction, so after a crash the row says exactly what is known to have happened.
 */
import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { LifecycleState, LineRun, PortState, Recipe } from '../../../preload/contract';
import { appendAudit } from '../audit/audit-log.repo';
import { StationError } from '../errors/station-error';
import { statement } from '../store/statements';
import { relaxedWriteTransaction, writeTransaction } from '../store/write-transaction';

/**
 * Durable steps, in order. 'issued' is written by the certificate recorder with the certificate;
 * read-back, proof of possession and the lock are committed with 'pass' (their audit entries first).
 */
export const durableSteps = ['started', 'record', 'issued', 'written', 'pass', 'fail'] as const;
export type DurableStep = (typeof durableSteps)[number];

export interface ProvisioningRow {
  id: string;
  run_id: string;
  port: string;
  serial_number: string;
  device_id: string | null;
  step: DurableStep;
  outcome: 'in-progress' | 'pass' | 'fail';
  certificate_id: string | null;
  failure_code: string | null;
  failure_step: string | null;
  failure_message: string | null;
  labels: string;
  started_at: string;
  finished_at: string | null;
}

interface RunRow {
  id: string;
  lot: string;
  recipe_id: string;
  recipe: string;
  started_at: string;
  stopped_at: string | null;
  started_by: string;
}

export interface OpenRun {
  id: string;
  lot: string;
  recipe: Recipe;
  startedAt: string;
}

/**
 * A run that was never stopped (the station crashed or was killed) is continued rather than
 * replaced when the same recipe starts again: "one run" is what the no-two-live-certificates
 * rule is counted over, and a crash must not open a loophole in it.
 */
export function openOrResumeRun(
  db: Database,
  recipe: Recipe,
  lot: string | undefined,
  actor: string,
  time: string,
): OpenRun & { resumed: boolean } {
  return writeTransaction(db, () => {
    const open = statement(
      db,
      'SELECT * FROM line_runs WHERE recipe_id = ? AND stopped_at IS NULL ORDER BY seq DESC LIMIT 1',
    ).get(recipe.id) as RunRow | undefined;
    if (open && (lot === undefined || lot === open.lot)) {
      appendAudit(db, { actor, action: 'line.resume', subject: open.id, details: { lot: open.lot } }, time);
      return {
        id: open.id,
        lot: open.lot,
        recipe: JSON.parse(open.recipe) as Recipe,
        startedAt: open.started_at,
        resumed: true,
      };
    }
    // A different lot closes the interrupted run for good; its attempts stay as they are.
    if (open) statement(db, 'UPDATE line_runs SET stopped_at = ? WHERE id = ?').run(time, open.id);
    const id = randomUUID();
    const name = lot ?? `${recipe.name} ${time.slice(0, 10)}`;
    statement(
      db,
      'INSERT INTO line_runs (id, lot, recipe_id, recipe, started_at, started_by) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(id, name, recipe.id, JSON.stringify(recipe), time, actor);
    appendAudit(
      db,
      { actor, action: 'line.start', subject: id, details: { lot: name, recipeId: recipe.id, recipe: recipe.name } },
      time,
    );
    return { id, lot: name, recipe, startedAt: time, resumed: false };
  });
}

export function stopRun(db: Database, runId: string, actor: string, time: string): void {
  writeTransaction(db, () => {
    statement(db, 'UPDATE line_runs SET stopped_at = ? WHERE id = ? AND stopped_at IS NULL').run(time, runId);
    appendAudit(db, { actor, action: 'line.stop', subject: runId, details: {} }, time);
  });
}

export function runCounts(db: Database, runId: string): { passed: number; failed: number } {
  const row = statement(
    db,
    `SELECT count(*) FILTER (WHERE outcome = 'pass') AS passed, count(*) FILTER (WHERE outcome = 'fail') AS failed
     FROM provisionings WHERE run_id = ?`,
  ).get(runId) as { passed: number; failed: number };
  return row;
}

export function listRuns(db: Database): LineRun[] {
  const rows = statement(
    db,
    `SELECT r.*, (SELECT count(*) FROM provisionings p WHERE p.run_id = r.id AND p.outcome = 'pass') AS passed,
            (SELECT count(*) FROM provisionings p WHERE p.run_id = r.id AND p.outcome = 'fail') AS failed
     FROM line_runs r ORDER BY r.seq DESC LIMIT 500`,
  ).all() as Array<RunRow & { passed: number; failed: number }>;
  return rows.map((row) => ({
    id: row.id,
    lot: row.lot,
    recipeId: row.recipe_id,
    recipeName: (JSON.parse(row.recipe) as Recipe).name,
    startedAt: row.started_at,
    stoppedAt: row.stopped_at,
    startedBy: row.started_by,
    passed: row.passed,
    failed: row.failed,
  }));
}

export function getRun(db: Database, runId: string, step: string): OpenRun & { stoppedAt: string | null } {
  const row = statement(db, 'SELECT * FROM line_runs WHERE id = ?').get(runId) as RunRow | undefined;
  if (!row) throw new StationError('RUN_NOT_FOUND', `No line run with ID ${runId} exists.`, { step });
  return {
    id: row.id,
    lot: row.lot,
    recipe: JSON.parse(row.recipe) as Recipe,
    startedAt: row.started_at,
    stoppedAt: row.stopped_at,
  };
}

/** The device's latest attempt in any run (most recent first). */
export function latestAttempt(db: Database, serialNumber: string): ProvisioningRow | undefined {
  return statement(db, 'SELECT * FROM provisionings WHERE serial_number = ? ORDER BY seq DESC LIMIT 1').get(
    serialNumber,
  ) as ProvisioningRow | undefined;
}

/** The device's attempt that never finished (the station stopped or crashed during it), in any run. */
export function openAttempt(db: Database, serialNumber: string): ProvisioningRow | undefined {
  return statement(
    db,
    "SELECT * FROM provisionings WHERE serial_number = ? AND outcome = 'in-progress' ORDER BY seq DESC LIMIT 1",
  ).get(serialNumber) as ProvisioningRow | undefined;
}

export function latestPass(db: Database, serialNumber: string): ProvisioningRow | undefined {
  return statement(
    db,
    "SELECT * FROM provisionings WHERE serial_number = ? AND outcome = 'pass' ORDER BY seq DESC LIMIT 1",
  ).get(serialNumber) as ProvisioningRow | undefined;
}

export function getAttempt(db: Database, id: string): ProvisioningRow | undefined {
  return statement(db, 'SELECT * FROM provisionings WHERE id = ?').get(id) as ProvisioningRow | undefined;
}

export function attemptsOfRun(db: Database, runId: string): ProvisioningRow[] {
  return statement(db, 'SELECT * FROM provisionings WHERE run_id = ? ORDER BY seq').all(runId) as ProvisioningRow[];
}

export function beginAttempt(
  db: Database,
  attempt: { runId: string; port: string; serialNumber: string; labels: Record<string, string> },
  time: string,
): string {
  const id = randomUUID();
  statement(
    db,
    `INSERT INTO provisionings (id, run_id, port, serial_number, step, labels, started_at)
     VALUES (?, ?, ?, ?, 'started', ?, ?)`,
  ).run(id, attempt.runId, attempt.port, attempt.serialNumber, JSON.stringify(attempt.labels), time);
  return id;
}

export interface StepRecord {
  step: Exclude<DurableStep, 'started' | 'issued' | 'pass' | 'fail'>;
  actor: string;
  action: string;
  details: Record<string, unknown>;
  deviceId?: string;
  /** Moves the device's lifecycle state forward (never backward, never out of Deleted). */
  lifecycle?: LifecycleState;
}

const lifecycleOrder: Readonly<Record<LifecycleState, number>> = {
  Enrolled: 0,
  Registered: 1,
  Provisioned: 2,
  Deleted: 3,
};

function advanceLifecycle(db: Database, deviceId: string, state: LifecycleState, time: string): void {
  const current = statement(db, 'SELECT state FROM devices WHERE id = ?').get(deviceId) as
    { state: LifecycleState } | undefined;
  if (!current || lifecycleOrder[current.state] >= lifecycleOrder[state]) {
    statement(db, 'UPDATE devices SET last_seen_at = ? WHERE id = ?').run(time, deviceId);
    return;
  }
  statement(db, 'UPDATE devices SET state = ?, updated_at = ?, last_seen_at = ? WHERE id = ?').run(
    state,
    time,
    time,
    deviceId,
  );
}

export function recordStep(db: Database, attemptId: string, record: StepRecord, time: string): void {
  relaxedWriteTransaction(db, () => {
    statement(db, 'UPDATE provisionings SET step = ?, device_id = coalesce(?, device_id) WHERE id = ?').run(
      record.step,
      record.deviceId ?? null,
      attemptId,
    );
    const deviceId =
      record.deviceId ??
      (statement(db, 'SELECT device_id FROM provisionings WHERE id = ?').get(attemptId) as { device_id: string | null })
        .device_id;
    if (deviceId && record.lifecycle) advanceLifecycle(db, deviceId, record.lifecycle, time);
    appendAudit(db, { actor: record.actor, action: record.action, subject: attemptId, details: record.details }, time);
  });
}

export function finishAttempt(
  db: Database,
  attemptId: string,
  outcome:
    | {
        kind: 'pass';
        actor: string;
        details: Record<string, unknown>;
        /** What was checked in this attempt, audited before the PASS in the same commit. */
        evidence?: ReadonlyArray<{ action: string; details: Record<string, unknown> }>;
      }
    | { kind: 'fail'; actor: string; code: string; step: PortState; message: string },
  time: string,
): void {
  relaxedWriteTransaction(db, () => {
    if (outcome.kind === 'pass') {
      statement(
        db,
        "UPDATE provisionings SET step = 'pass', outcome = 'pass', finished_at = ? WHERE id = ? AND outcome = 'in-progress'",
      ).run(time, attemptId);
      const row = getAttempt(db, attemptId);
      if (row?.device_id) advanceLifecycle(db, row.device_id, 'Provisioned', time);
      for (const { action, details } of outcome.evidence ?? []) {
        appendAudit(db, { actor: outcome.actor, action, subject: attemptId, details }, time);
      }
      appendAudit(
        db,
        { actor: outcome.actor, action: 'line.device-passed', subject: attemptId, details: outcome.details },
        time,
      );
      return;
    }
    statement(
      db,
      `UPDATE provisionings SET step = 'fail', outcome = 'fail', failure_code = ?, failure_step = ?, failure_message = ?,
       finished_at = ? WHERE id = ? AND outcome = 'in-progress'`,
    ).run(outcome.code, outcome.step, outcome.message, time, attemptId);
    appendAudit(
      db,
      {
        actor: outcome.actor,
        action: 'line.device-failed',
        subject: attemptId,
        details: { code: outcome.code, step: outcome.step, message: outcome.message },
      },
      time,
    );
  });
}

/** Labels scanned while the device is on its port join the attempt (and the device's attributes). */
export function setAttemptLabels(db: Database, attemptId: string, labels: Record<string, string>): void {
  statement(db, 'UPDATE provisionings SET labels = ? WHERE id = ?').run(JSON.stringify(labels), attemptId);
}

/** The device's latest attempt, in any run and of any outcome, whose certificate is still live. */
export function latestLiveCertificateAttempt(db: Database, serialNumber: string): ProvisioningRow | undefined {
  return statement(
    db,
    `SELECT p.* FROM provisionings p JOIN certificates c ON c.id = p.certificate_id
     WHERE p.serial_number = ? AND c.status = 'issued' ORDER BY p.seq DESC LIMIT 1`,
  ).get(serialNumber) as ProvisioningRow | undefined;
}

/**
 * A new attempt that takes over a certificate the device already holds (a LOCK whose answer was
 * lost FAILed the earlier attempt while the device did lock): it starts at 'written', and only
 * read-back and proof of possession in this attempt can make it PASS.
 */
export function adoptCertificate(
  db: Database,
  adoption: { runId: string; port: string; from: ProvisioningRow; labels: Record<string, string>; actor: string },
  time: string,
): string {
  return relaxedWriteTransaction(db, () => {
    const id = beginAttempt(
      db,
      {
        runId: adoption.runId,
        port: adoption.port,
        serialNumber: adoption.from.serial_number,
        labels: adoption.labels,
      },
      time,
    );
    statement(db, "UPDATE provisionings SET certificate_id = ?, device_id = ?, step = 'written' WHERE id = ?").run(
      adoption.from.certificate_id,
      adoption.from.device_id,
      id,
    );
    appendAudit(
      db,
      {
        actor: adoption.actor,
        action: 'line.certificate-adopted',
        subject: id,
        details: { fromAttempt: adoption.from.id, certificateId: adoption.from.certificate_id },
      },
      time,
    );
    return id;
  });
}
