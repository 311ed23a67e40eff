import { z } from 'zod';
import { apiBase, auditRecordSchema } from '../../sync-protocol';
import { Filters } from './filters';
import { defineRoute, pageSchema, pagingQuery, toPage } from './route';

const stationAuditSchema = auditRecordSchema.extend({ stationId: z.string().uuid() });

interface StationAuditRow {
  id: string;
  station_id: string;
  seq: string;
  time: string;
  actor: string;
  action: string;
  subject: string;
  details: string;
  prev_hash: string;
  hash: string;
}

const serverAuditSchema = z.strictObject({
  seq: z.number().int().positive(),
  time: z.string(),
  actor: z.string(),
  action: z.string(),
  subject: z.string(),
  details: z.record(z.string(), z.unknown()),
});

interface ServerAuditRow {
  seq: string;
  time: Date;
  actor: string;
  action: string;
  subject: string;
  details: Record<string, unknown>;
}

/** Cursors are the row's arrival number: stable while entries keep being appended. */
const cursorQuery = z.coerce.number().int().nonnegative().optional();

export const auditRoutes = [
  defineRoute({
    method: 'GET',
    path: `${apiBase}/audit`,
    access: 'records.view',
    summary: "The stations' own hash-chained audit entries, in the order they arrived.",
    query: z.object({
      ...pagingQuery,
      after: cursorQuery,
      stationId: z.string().uuid().optional(),
      action: z.string().max(128).optional(),
    }),
    response: pageSchema(stationAuditSchema),
    handle: async ({ db, query }) => {
      const filters = new Filters()
        .add('id > ?', query.after)
        .add('station_id = ?', query.stationId)
        .add('action = ?', query.action);
      const { rows } = await db.query<StationAuditRow>(
        `SELECT id, station_id, seq, time, actor, action, subject, details, prev_hash, hash
           FROM station_audit ${filters.where} ORDER BY id LIMIT ${filters.param(query.limit + 1)}`,
        filters.values,
      );
      return toPage(
        rows,
        query.limit,
        (row) => ({
          stationId: row.station_id,
          seq: Number(row.seq),
          time: row.time,
          actor: row.actor,
          action: row.action,
          subject: row.subject,
          details: row.details,
          prevHash: row.prev_hash,
          hash: row.hash,
        }),
        (row) => row.id,
      );
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${apiBase}/server-audit`,
    access: 'records.view',
    summary: "The server's own audit: enrolments, stations, tokens, users, config and device edits, refused calls.",
    query: z.object({
      ...pagingQuery,
      after: cursorQuery,
      action: z.string().max(128).optional(),
      actor: z.string().max(256).optional(),
    }),
    response: pageSchema(serverAuditSchema),
    handle: async ({ db, query }) => {
      const filters = new Filters()
        .add('seq > ?', query.after)
        .add('action = ?', query.action)
        .add('actor = ?', query.actor);
      const { rows } = await db.query<ServerAuditRow>(
        `SELECT seq, time, actor, action, subject, details FROM server_audit ${filters.where}
          ORDER BY seq LIMIT ${filters.param(query.limit + 1)}`,
        filters.values,
      );
      return toPage(
        rows,
        query.limit,
        (row) => ({ ...row, seq: Number(row.seq), time: row.time.toISOString() }),
        (row) => row.seq,
      );
    },
  }),
];
