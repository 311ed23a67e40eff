import { z } from 'zod';
import { apiBase, jobRecordSchema } from '../../sync-protocol';
import { Filters } from './filters';
import { defineRoute, pageSchema, pagingQuery, toPage } from './route';

const jobSchema = jobRecordSchema.extend({ stationId: z.string().uuid(), receivedAt: z.string() });
type Job = z.infer<typeof jobSchema>;

interface JobRow {
  id: string;
  station_id: string;
  kind: Job['kind'];
  input_name: string;
  state: Job['state'];
  created_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  rows: Record<string, number>;
  received_at: Date;
}

const toJob = (row: JobRow): Job => ({
  id: row.id,
  kind: row.kind,
  inputName: row.input_name,
  state: row.state,
  createdBy: row.created_by,
  createdAt: row.created_at,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  rows: row.rows,
  stationId: row.station_id,
  receivedAt: row.received_at.toISOString(),
});

export const jobRoutes = [
  defineRoute({
    method: 'GET',
    path: `${apiBase}/jobs`,
    access: 'records.view',
    summary: 'List batch jobs as the stations last pushed them, in pages ordered by ID.',
    query: z.object({
      ...pagingQuery,
      after: z.string().uuid().optional(),
      stationId: z.string().uuid().optional(),
      state: jobRecordSchema.shape.state.optional(),
    }),
    response: pageSchema(jobSchema),
    handle: async ({ db, query }) => {
      const filters = new Filters()
        .add('id > ?', query.after)
        .add('station_id = ?', query.stationId)
        .add('state = ?', query.state);
      const { rows } = await db.query<JobRow>(
        `SELECT id, station_id, kind, input_name, state, created_by, created_at, started_at, finished_at, rows,
                received_at
           FROM jobs ${filters.where} ORDER BY id LIMIT ${filters.param(query.limit + 1)}`,
        filters.values,
      );
      return toPage(rows, query.limit, toJob, (row) => row.id);
    },
  }),
];
