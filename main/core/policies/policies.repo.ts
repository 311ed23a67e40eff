import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { type Policy, type PolicyBody, policyBodySchema } from '../../../preload/contract';
import { appendAudit } from '../audit/audit-log.repo';
import { getCaRow } from '../ca/cas.repo';
import { parseInput } from '../errors/parse-input';
import { StationError } from '../errors/station-error';
import { type MutationContext, timestamp } from '../inventory/mutation-context';
import { statement } from '../store/statements';
import { writeTransaction } from '../store/write-transaction';
import { findPreset } from './presets';
import { policyProblems } from './profile-rules';

interface PolicyRow {
  id: string;
  name: string;
  issuing_ca_id: string;
  body: string;
  created_at: string;
  updated_at: string;
  ca_name: string;
}

const selectPolicies = `
  SELECT p.*, c.name AS ca_name FROM policies p JOIN certificate_authorities c ON c.id = p.issuing_ca_id`;

function toPolicy(row: PolicyRow): Policy {
  // Stored bodies were validated on the way in; parsing again keeps a hand-edited file from reaching the engine.
  const body = policyBodySchema.parse(JSON.parse(row.body));
  return { ...body, id: row.id, issuingCaName: row.ca_name, createdAt: row.created_at, updatedAt: row.updated_at };
}

export function listPolicies(db: Database): Policy[] {
  return (statement(db, `${selectPolicies} ORDER BY p.name COLLATE NOCASE`).all() as PolicyRow[]).map(toPolicy);
}

export function getPolicy(db: Database, id: string, step = 'get-policy'): Policy {
  const row = statement(db, `${selectPolicies} WHERE p.id = ?`).get(id) as PolicyRow | undefined;
  if (!row) throw new StationError('POLICY_NOT_FOUND', `No policy with ID ${id} exists.`, { step, params: { id } });
  return toPolicy(row);
}

export function findPolicyByName(db: Database, name: string): Policy | undefined {
  const row = statement(db, `${selectPolicies} WHERE p.name = ? COLLATE NOCASE`).get(name) as PolicyRow | undefined;
  return row ? toPolicy(row) : undefined;
}

/** A policy's body from a preset with overrides, validated as a whole. */
export function composePolicyBody(
  preset: string | undefined,
  overrides: Partial<PolicyBody>,
  step: string,
): PolicyBody {
  let base = {};
  if (preset !== undefined) {
    const found = findPreset(preset);
    if (!found) {
      throw new StationError('PRESET_NOT_FOUND', `There is no policy preset named "${preset}".`, {
        step,
        params: { preset },
      });
    }
    base = structuredClone(found.body);
  }
  return parseInput(policyBodySchema, { ...base, ...overrides }, step);
}

function checkBody(db: Database, body: PolicyBody, step: string): void {
  const ca = getCaRow(db, body.issuingCaId, step);
  if (ca.kind !== 'issuing') {
    throw new StationError(
      'POLICY_INVALID',
      `${ca.name} is a trust anchor; a policy needs an issuing CA of this station.`,
      {
        step,
      },
    );
  }
  const problems = policyProblems(body, ca.key_algorithm);
  if (problems.length > 0) {
    throw new StationError('POLICY_INVALID', `The policy cannot be saved: ${problems.join('; ')}.`, {
      step,
      issues: problems.map((message) => ({ path: '', message })),
    });
  }
}

function assertNameFree(db: Database, name: string, exceptId: string | null, step: string): void {
  const row = statement(db, 'SELECT id FROM policies WHERE name = ? COLLATE NOCASE').get(name) as
    { id: string } | undefined;
  if (row && row.id !== exceptId) {
    throw new StationError('POLICY_NAME_TAKEN', `A policy named "${name}" already exists.`, { step, params: { name } });
  }
}

export function createPolicy(
  db: Database,
  input: { preset?: string; body: Partial<PolicyBody> },
  ctx: MutationContext,
): Policy {
  const step = 'create-policy';
  const body = composePolicyBody(input.preset, input.body, step);
  return writeTransaction(db, () => {
    checkBody(db, body, step);
    assertNameFree(db, body.name, null, step);
    const id = randomUUID();
    const time = timestamp(ctx);
    statement(
      db,
      'INSERT INTO policies (id, name, issuing_ca_id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(id, body.name, body.issuingCaId, JSON.stringify(body), time, time);
    appendAudit(
      db,
      { actor: ctx.actor, action: 'policy.created', subject: id, details: { preset: input.preset ?? null, body } },
      time,
    );
    return getPolicy(db, id, step);
  });
}

export function updatePolicy(db: Database, input: { id: string; body: PolicyBody }, ctx: MutationContext): Policy {
  const step = 'update-policy';
  return writeTransaction(db, () => {
    const before = getPolicy(db, input.id, step);
    checkBody(db, input.body, step);
    assertNameFree(db, input.body.name, input.id, step);
    const time = timestamp(ctx);
    statement(db, 'UPDATE policies SET name = ?, issuing_ca_id = ?, body = ?, updated_at = ? WHERE id = ?').run(
      input.body.name,
      input.body.issuingCaId,
      JSON.stringify(input.body),
      time,
      input.id,
    );
    appendAudit(
      db,
      {
        actor: ctx.actor,
        action: 'policy.updated',
        subject: input.id,
        details: { before: { ...before }, after: input.body },
      },
      time,
    );
    return getPolicy(db, input.id, step);
  });
}
