import { z } from 'zod';
import { apiBase, policyConfigSchema } from '../../sync-protocol';
import { changeConfig } from '../config/version';
import { onlyRow } from '../db/pool';
import { ServerError } from '../errors';
import { defineRoute, uuidParam } from './route';

const policySchema = policyConfigSchema.extend({ version: z.number().int().positive() });
type Policy = z.infer<typeof policySchema>;

interface PolicyRow {
  id: string;
  name: string;
  issuing_ca_id: string;
  body: Record<string, unknown>;
  updated_at: Date;
  config_version: string;
}

const columns = 'id, name, issuing_ca_id, body, updated_at, config_version';

const toPolicy = (row: PolicyRow): Policy => ({
  id: row.id,
  name: row.name,
  issuingCaId: row.issuing_ca_id,
  body: row.body,
  updatedAt: row.updated_at.toISOString(),
  version: Number(row.config_version),
});

const fields = {
  name: policyConfigSchema.shape.name,
  issuingCaId: policyConfigSchema.shape.issuingCaId,
  body: policyConfigSchema.shape.body,
};

export const policyRoutes = [
  defineRoute({
    method: 'GET',
    path: `${apiBase}/policies`,
    access: 'records.view',
    summary: 'List certificate management policies.',
    response: z.strictObject({ items: z.array(policySchema) }),
    handle: async ({ db }) => {
      const { rows } = await db.query<PolicyRow>(`SELECT ${columns} FROM policies ORDER BY lower(name), id`);
      return { items: rows.map(toPolicy) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${apiBase}/policies`,
    access: 'config.manage',
    summary: 'Create a policy; its body is opaque to the server and checked by each station.',
    body: z.strictObject(fields),
    response: policySchema,
    status: 201,
    handle: ({ db, body, principal }) =>
      changeConfig(db, principal, async (client, version) => {
        const { rows } = await client.query<PolicyRow>(
          `INSERT INTO policies (name, issuing_ca_id, body, config_version) VALUES ($1, $2, $3::jsonb, $4)
           RETURNING ${columns}`,
          [body.name, body.issuingCaId, JSON.stringify(body.body), version],
        );
        const policy = toPolicy(onlyRow(rows));
        return {
          result: policy,
          audit: { action: 'config.policy-created', subject: policy.id, details: { name: policy.name } },
        };
      }),
  }),
  defineRoute({
    method: 'PUT',
    path: `${apiBase}/policies/{id}`,
    access: 'config.manage',
    summary: "Change a policy's name, issuing CA or body.",
    body: z.strictObject({
      name: fields.name.optional(),
      issuingCaId: fields.issuingCaId.optional(),
      body: fields.body.optional(),
    }),
    response: policySchema,
    handle: ({ db, params, body, principal }) =>
      changeConfig(db, principal, async (client, version) => {
        const id = uuidParam(params);
        const { rows: found } = await client.query<PolicyRow>(
          `SELECT ${columns} FROM policies WHERE id = $1 FOR UPDATE`,
          [id],
        );
        const before = found[0];
        if (!before) throw new ServerError('NOT_FOUND', 'No such policy.');
        const { rows } = await client.query<PolicyRow>(
          `UPDATE policies SET name = coalesce($2, name), issuing_ca_id = coalesce($3, issuing_ca_id),
                  body = coalesce($4::jsonb, body), updated_at = now(), config_version = $5
            WHERE id = $1 RETURNING ${columns}`,
          [
            id,
            body.name ?? null,
            body.issuingCaId ?? null,
            body.body === undefined ? null : JSON.stringify(body.body),
            version,
          ],
        );
        return {
          result: toPolicy(onlyRow(rows)),
          audit: { action: 'config.policy-changed', subject: id, details: { before: toPolicy(before), change: body } },
        };
      }),
  }),
];
