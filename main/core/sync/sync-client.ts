/**
 * The station's side of the wire: each request to the central server, its answer checked
 * against the sync protocol, and every way it can fail turned into a StationError that says
 * whether trying again later can help.
 */
import type { z } from 'zod';
import {
  type ConfigResponse,
  configResponseSchema,
  type EnrolResponse,
  enrolResponseSchema,
  errorBodySchema,
  type PushRequest,
  type PushResponse,
  pushResponseSchema,
  syncPaths,
  type SyncStateResponse,
  syncStateResponseSchema,
} from '../../../sync-protocol';
import { StationError } from '../errors/station-error';

/** A failed request: `retryable` when the server may well take it later (network, 5xx, 429). */
export class SyncRequestError extends StationError {
  readonly retryable: boolean;
  /** The server's own error code and details, when it answered with one. */
  readonly serverCode: string | null;
  readonly serverDetails: Record<string, unknown> | null;

  constructor(
    error: { retryable: boolean; serverCode?: string; serverDetails?: Record<string, unknown>; cause?: unknown },
    message: string,
  ) {
    super(error.retryable ? 'SYNC_SERVER_UNREACHABLE' : 'SYNC_REFUSED', message, {
      step: 'sync',
      ...(error.serverCode ? { params: { serverCode: error.serverCode } } : {}),
      cause: error.cause,
    });
    this.retryable = error.retryable;
    this.serverCode = error.serverCode ?? null;
    this.serverDetails = error.serverDetails ?? null;
  }
}

export interface SyncClientOptions {
  serverUrl: string;
  /** The station credential; enrolment is the one request made without it. */
  credential?: string;
  /** A request that takes longer is abandoned and counts as a network failure. */
  timeoutMs?: number;
}

export interface SyncClient {
  enrol(enrolmentToken: string, stationName: string): Promise<EnrolResponse>;
  push(request: PushRequest): Promise<PushResponse>;
  state(): Promise<SyncStateResponse>;
  config(since: number): Promise<ConfigResponse>;
}

/** A server URL as typed by a person: http(s) only, no credentials in it, no trailing slash. */
export function normaliseServerUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new StationError('INVALID_INPUT', `"${text}" is not a URL (expected e.g. https://trustline.example.com).`, {
      step: 'sync-enrol',
    });
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
    throw new StationError('INVALID_INPUT', `The server URL must be http:// or https:// without a user name: ${text}`, {
      step: 'sync-enrol',
    });
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

export function createSyncClient(options: SyncClientOptions): SyncClient {
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function request<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: S,
    body?: unknown,
    authenticated = true,
  ): Promise<z.output<S>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (authenticated && options.credential) headers.authorization = `Bearer ${options.credential}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(options.serverUrl + path, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : describe(error);
      throw new SyncRequestError({ retryable: true, cause: error }, `${method} ${path}: ${reason}`);
    }
    const json = parseJson(text);
    if (!response.ok) {
      const parsed = errorBodySchema.safeParse(json);
      const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
      if (!parsed.success) {
        throw new SyncRequestError({ retryable }, `${method} ${path}: HTTP ${response.status} from the server`);
      }
      const { code, message, details } = parsed.data.error;
      throw new SyncRequestError(
        { retryable, serverCode: code, ...(details ? { serverDetails: details } : {}) },
        `${method} ${path}: ${code} — ${message}`,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      // A proxy's page or a different server: trying again may reach the right one.
      throw new SyncRequestError({ retryable: true }, `${method} ${path}: the answer is not a Trustline server's`);
    }
    return parsed.data;
  }

  return {
    enrol: (enrolmentToken, stationName) =>
      request('POST', syncPaths.enrol, enrolResponseSchema, { enrolmentToken, stationName }, false),
    push: (push) => request('POST', syncPaths.push, pushResponseSchema, push),
    state: () => request('GET', syncPaths.state, syncStateResponseSchema),
    config: (since) => request('GET', `${syncPaths.config}?since=${since}`, configResponseSchema),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
