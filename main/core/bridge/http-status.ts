import type { ErrorCode } from '../../../preload/contract';

/** HTTP status for each error code, so scripts and proxies see the failure without parsing. */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_INPUT':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'PERMISSION_DENIED':
    case 'FORBIDDEN_ORIGIN':
      return 403;
    case 'UNKNOWN_CALL':
    case 'GROUP_NOT_FOUND':
    case 'DEVICE_NOT_FOUND':
      return 404;
    case 'GROUP_NAME_TAKEN':
    case 'GROUP_NOT_EMPTY':
    case 'DEVICE_NAME_TAKEN':
    case 'DEVICE_DELETED':
      return 409;
    case 'STORE_TOO_NEW':
    case 'STORE_MIGRATION_FAILED':
    case 'TRANSPORT_FAILED':
    case 'INTERNAL':
      return 500;
  }
}
