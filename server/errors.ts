import type { ErrorBody, ServerErrorCode } from '../sync-protocol';

const statusByCode: Record<ServerErrorCode, number> = {
  BAD_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_REVOKED: 401,
  PERMISSION_DENIED: 403,
  STATION_REVOKED: 401,
  STATION_MISMATCH: 403,
  ENROLMENT_TOKEN_INVALID: 401,
  SYNC_GAP: 409,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** An error the server answers on purpose: its code is part of the wire contract, its message is for people. */
export class ServerError extends Error {
  readonly status: number;

  constructor(
    readonly code: ServerErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ServerError';
    this.status = statusByCode[code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export const isServerError = (error: unknown): error is ServerError => error instanceof ServerError;
