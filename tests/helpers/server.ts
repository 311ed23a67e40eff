import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after } from 'node:test';
import type { Pool } from 'pg';
import type {
  AuditRecord,
  CertificateRecord,
  DeviceRecord,
  ErrorBody,
  JobRecord,
  PushRequest,
  SyncRecord,
} from '../../sync-protocol';
import { createAdministrator, startServer, type RunningServer } from '../../server/start-server';
import { createTestDatabase, testPool } from './postgres';

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
}

/** A typed fetch: JSON in, JSON out, the bearer given per call. */
export async function api<T = unknown>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string | Buffer } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Buffer | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export const errorCode = (answer: ApiAnswer): string | undefined => (answer.body as ErrorBody | undefined)?.error?.code;
export const errorMessage = (answer: ApiAnswer): string | undefined =>
  (answer.body as ErrorBody | undefined)?.error?.message;
export const errorDetails = (answer: ApiAnswer): unknown => (answer.body as ErrorBody | undefined)?.error?.details;

export interface TestServer {
  url: string;
  databaseUrl: string;
  adminToken: string;
  /** Direct access for assertions: counting rows, reading the audit. */
  db: Pool;
  server: RunningServer;
  call<T = unknown>(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; rawBody?: string | Buffer },
  ): Promise<ApiAnswer<T>>;
}

/**
 * A server on a fresh database with an administrator, all torn down when the test file ends.
 * Call it at the top level of a test file: `after` registered inside a hook would run at the hook's end.
 */
export async function startTestServer(): Promise<TestServer> {
  const database = await createTestDatabase();
  const server = await startServer({ databaseUrl: database.url, port: 0 });
  const { token } = await createAdministrator(database.url, 'admin');
  const db = testPool(database.url);
  after(async () => {
    await server.close();
    await db.end();
    await database.drop();
  });
  return {
    url: server.url,
    databaseUrl: database.url,
    adminToken: token,
    db,
    server,
    call: (method, path, options = {}) => api(server.url, method, path, { token: token, ...options }),
  };
}

export async function count(db: Pool, table: string, where = 'true', values: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, values);
  return Number(rows[0]?.n ?? 0);
}

/** Registers a station and enrols it: its ID and credential. */
export async function enrolStation(
  server: TestServer,
  name = 'line-1',
): Promise<{ stationId: string; credential: string; enrolmentToken: string }> {
  const created = await server.call<{ station: { id: string }; enrolmentToken: string }>('POST', '/api/v1/stations', {
    body: { name },
  });
  if (created.status !== 201) throw new Error(`station not created: ${JSON.stringify(created.body)}`);
  const enrolled = await api<{ stationId: string; credential: string }>(server.url, 'POST', '/api/v1/enrol', {
    body: { enrolmentToken: created.body.enrolmentToken, stationName: name },
  });
  if (enrolled.status !== 200) throw new Error(`station not enrolled: ${JSON.stringify(enrolled.body)}`);
  return { ...enrolled.body, enrolmentToken: created.body.enrolmentToken };
}

/** Builders for the records a station pushes, valid against the wire contract. */
export const sample = {
  device(overrides: Partial<DeviceRecord> = {}): DeviceRecord {
    return {
      id: randomUUID(),
      name: `dev-${randomBytes(4).toString('hex')}`,
      description: 'from the line',
      groupId: sampleGroupId,
      attributes: { serial: randomBytes(4).toString('hex') },
      state: 'Provisioned',
      status: 'Enabled',
      createdAt: '2026-11-24T08:00:00.000Z',
      updatedAt: '2026-11-24T08:00:00.000Z',
      lastSeenAt: null,
      ...overrides,
    };
  },
  certificate(overrides: Partial<CertificateRecord> = {}): CertificateRecord {
    return {
      id: randomUUID(),
      serial: randomBytes(16).toString('hex'),
      subject: 'CN=device',
      notBefore: '2026-11-24T08:00:00.000Z',
      notAfter: '2036-11-24T08:00:00.000Z',
      der: randomBytes(64).toString('base64'),
      status: 'issued',
      policyId: samplePolicyId,
      caId: sampleCaId,
      deviceId: null,
      keyType: 'EC P-256',
      issuedAt: '2026-11-24T08:00:00.000Z',
      issuedBy: 'operator',
      jobId: null,
      ...overrides,
    };
  },
  job(overrides: Partial<JobRecord> = {}): JobRecord {
    return {
      id: randomUUID(),
      kind: 'register-devices',
      inputName: 'devices.csv',
      state: 'completed',
      createdBy: 'ada',
      createdAt: '2026-11-24T08:00:00.000Z',
      startedAt: null,
      finishedAt: null,
      rows: { done: 3 },
      ...overrides,
    };
  },
  /** A hash chain of `n` audit entries starting at audit seq `from`, linked to `prevHash`. */
  auditChain(n: number, from = 1, prevHash = '0'.repeat(64)): AuditRecord[] {
    const entries: AuditRecord[] = [];
    let prev = prevHash;
    for (let i = 0; i < n; i++) {
      const seq = from + i;
      const hash = createHash('sha256').update(`${prev}:${seq}`).digest('hex');
      entries.push({
        seq,
        time: '2026-11-24T08:00:00.000Z',
        actor: 'operator',
        action: 'device.provisioned',
        subject: `device ${seq}`,
        details: '{}',
        prevHash: prev,
        hash,
      });
      prev = hash;
    }
    return entries;
  },
};

const sampleGroupId = randomUUID();
const samplePolicyId = randomUUID();
const sampleCaId = randomUUID();

type Entry =
  | { kind: 'device'; record: DeviceRecord }
  | { kind: 'certificate'; record: CertificateRecord }
  | { kind: 'job'; record: JobRecord }
  | { kind: 'audit'; record: AuditRecord };

/** A push of `entries` numbered from `firstSeq`. */
export function pushOf(stationId: string, firstSeq: number, entries: Entry[]): PushRequest {
  const records = entries.map((entry, i) => ({ ...entry, seq: firstSeq + i }) as SyncRecord);
  return { stationId, firstSeq, lastSeq: firstSeq + entries.length - 1, records };
}
