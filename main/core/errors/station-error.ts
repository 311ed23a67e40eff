import type { ErrorCode, FieldIssue, StationErrorShape } from '../../../preload/contract';

/** An error the operator can act on: a stable code, a message, and the step that failed. */
export class StationError extends Error {
  readonly code: ErrorCode;
  readonly step: string | undefined;
  readonly params: Record<string, string | number> | undefined;
  readonly issues: FieldIssue[] | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      step?: string;
      params?: Record<string, string | number>;
      issues?: FieldIssue[];
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'StationError';
    this.code = code;
    this.step = options.step;
    this.params = options.params;
    this.issues = options.issues;
  }

  toShape(): StationErrorShape {
    return {
      code: this.code,
      message: this.message,
      ...(this.step === undefined ? {} : { step: this.step }),
      ...(this.params === undefined ? {} : { params: this.params }),
      ...(this.issues === undefined ? {} : { issues: this.issues }),
    };
  }
}

export function isStationError(error: unknown): error is StationError {
  return error instanceof StationError;
}
