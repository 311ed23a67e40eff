import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import {
  type CreateRecipeInput,
  createRecipeInput,
  type Recipe,
  type RecipeFields,
  type UpdateRecipeInput,
  updateRecipeInput,
} from '../../../preload/contract';
import { appendAudit } from '../audit/audit-log.repo';
import { findDriver } from '../device/drivers';
import { parseInput } from '../errors/parse-input';
import { StationError } from '../errors/station-error';
import { getDeviceGroup } from '../inventory/device-groups.repo';
import { type MutationContext, timestamp } from '../inventory/mutation-context';
import { getPolicy } from '../policies/policies.repo';
import { statement } from '../store/statements';
import { writeTransaction } from '../store/write-transaction';

interface RecipeRow {
  id: string;
  name: string;
  body: string;
  created_at: string;
  updated_at: string;
}

/** What the line needs of a stored body; parsing again keeps a hand-edited file from reaching a run. */
export function toRecipe(row: RecipeRow): Recipe {
  const body = createRecipeInput.parse(JSON.parse(row.body)) as RecipeFields;
  return { ...body, id: row.id, name: row.name, createdAt: row.created_at, updatedAt: row.updated_at };
}

export function listRecipes(db: Database): Recipe[] {
  return (statement(db, 'SELECT * FROM recipes ORDER BY name COLLATE NOCASE').all() as RecipeRow[]).map(toRecipe);
}

export function getRecipe(db: Database, id: string, step = 'get-recipe'): Recipe {
  const row = statement(db, 'SELECT * FROM recipes WHERE id = ?').get(id) as RecipeRow | undefined;
  if (!row) throw new StationError('RECIPE_NOT_FOUND', `No recipe with ID ${id} exists.`, { step, params: { id } });
  return toRecipe(row);
}

export function findRecipeByName(db: Database, name: string, step = 'get-recipe'): Recipe {
  const row = statement(db, 'SELECT * FROM recipes WHERE name = ? COLLATE NOCASE').get(name.trim()) as
    RecipeRow | undefined;
  if (!row) {
    throw new StationError('RECIPE_NOT_FOUND', `No recipe named "${name}" exists.`, { step, params: { name } });
  }
  return toRecipe(row);
}

/** Checks what the schema cannot: the group, policy and driver exist, and the policy allows the key generation. */
function checkReferences(db: Database, fields: RecipeFields, step: string): void {
  if (fields.groupId !== null) getDeviceGroup(db, fields.groupId, step);
  const policy = getPolicy(db, fields.policyId, step);
  const wanted = fields.keyGeneration === 'device-csr' ? 'device-csr' : 'station-generated';
  const problems: string[] = [];
  if (!policy.keyGeneration.includes(wanted)) {
    problems.push(
      `the policy ${policy.name} does not allow "${wanted}" keys (it allows ${policy.keyGeneration.join(', ')})`,
    );
  }
  if (fields.keyGeneration === 'station-generated' && fields.keyType === 'Ed25519') {
    problems.push('station-generated keys are EC-P256 or EC-P384');
  }
  const keys = [...fields.deviceAttributes.map((a) => a.key), ...fields.operatorAttributes.map((a) => a.key)];
  const twice = keys.find((key, i) => keys.indexOf(key) !== i);
  if (twice !== undefined) problems.push(`the attribute "${twice}" is filled twice`);
  try {
    findDriver(fields.driver);
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  if (problems.length > 0) {
    throw new StationError('RECIPE_INVALID', `The recipe cannot run: ${problems.join('; ')}.`, {
      step,
      issues: problems.map((message) => ({ path: '', message })),
    });
  }
}

function nameClash(db: Database, name: string, exceptId: string | null, step: string): void {
  const row = statement(db, 'SELECT id FROM recipes WHERE name = ? COLLATE NOCASE').get(name) as
    { id: string } | undefined;
  if (row && row.id !== exceptId) {
    throw new StationError('RECIPE_NAME_TAKEN', `A recipe named "${name}" already exists.`, {
      step,
      params: { name },
    });
  }
}

const bodyOf = (fields: RecipeFields): string => JSON.stringify(fields);

export function createRecipe(db: Database, raw: CreateRecipeInput, ctx: MutationContext): Recipe {
  const step = 'create-recipe';
  const fields = parseInput(createRecipeInput, raw, step) as RecipeFields;
  checkReferences(db, fields, step);
  const id = randomUUID();
  const time = timestamp(ctx);
  writeTransaction(db, () => {
    nameClash(db, fields.name, null, step);
    statement(db, 'INSERT INTO recipes (id, name, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(
      id,
      fields.name,
      bodyOf(fields),
      time,
      time,
    );
    appendAudit(db, { actor: ctx.actor, action: 'recipe.create', subject: id, details: { ...fields } }, time);
  });
  return getRecipe(db, id, step);
}

export function updateRecipe(db: Database, raw: UpdateRecipeInput, ctx: MutationContext): Recipe {
  const step = 'update-recipe';
  const { id, ...fields } = parseInput(updateRecipeInput, raw, step) as RecipeFields & { id: string };
  getRecipe(db, id, step);
  checkReferences(db, fields, step);
  const time = timestamp(ctx);
  writeTransaction(db, () => {
    nameClash(db, fields.name, id, step);
    statement(db, 'UPDATE recipes SET name = ?, body = ?, updated_at = ? WHERE id = ?').run(
      fields.name,
      bodyOf(fields),
      time,
      id,
    );
    appendAudit(db, { actor: ctx.actor, action: 'recipe.update', subject: id, details: { ...fields } }, time);
  });
  return getRecipe(db, id, step);
}

export function deleteRecipe(db: Database, id: string, ctx: MutationContext): { id: string } {
  const step = 'delete-recipe';
  const recipe = getRecipe(db, id, step);
  if (statement(db, 'SELECT 1 FROM line_runs WHERE recipe_id = ? LIMIT 1').get(id)) {
    throw new StationError(
      'RECIPE_INVALID',
      `The recipe ${recipe.name} was used by a line run; it stays for the records (rename it instead).`,
      { step, params: { name: recipe.name } },
    );
  }
  const time = timestamp(ctx);
  writeTransaction(db, () => {
    statement(db, 'DELETE FROM recipes WHERE id = ?').run(id);
    appendAudit(db, { actor: ctx.actor, action: 'recipe.delete', subject: id, details: { name: recipe.name } }, time);
  });
  return { id };
}
