import type { ErrorCode } from '../../../preload/contract';

/** HTTP status for each error code, so scripts and proxies see the failure without parsing. */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_INPUT':
    case 'PEM_INVALID':
    case 'CSR_INVALID':
    case 'CSR_SIGNATURE_INVALID':
    case 'PUBLIC_KEY_INVALID':
    case 'POLICY_INVALID':
    case 'CA_CERT_INVALID':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'PERMISSION_DENIED':
    case 'FORBIDDEN_ORIGIN':
      return 403;
    case 'HSM_PIN_INCORRECT':
      return 401;
    case 'KEY_STORE_LOCKED':
    case 'HSM_PIN_LOCKED':
      return 423;
    case 'UNKNOWN_CALL':
    case 'GROUP_NOT_FOUND':
    case 'DEVICE_NOT_FOUND':
    case 'POLICY_NOT_FOUND':
    case 'PRESET_NOT_FOUND':
    case 'CA_NOT_FOUND':
    case 'CERTIFICATE_NOT_FOUND':
    case 'HSM_KEY_NOT_FOUND':
    case 'RECIPE_NOT_FOUND':
    case 'RUN_NOT_FOUND':
    case 'INSPECTION_NOT_FOUND':
      return 404;
    case 'GROUP_NAME_TAKEN':
    case 'GROUP_NOT_EMPTY':
    case 'DEVICE_NAME_TAKEN':
    case 'DEVICE_DELETED':
    case 'DEVICE_DISABLED':
    case 'POLICY_NAME_TAKEN':
    case 'CA_NAME_TAKEN':
    case 'CA_NOT_READY':
    case 'HSM_KEY_AMBIGUOUS':
    case 'RECIPE_NAME_TAKEN':
    case 'LINE_RUNNING':
    case 'LINE_NOT_RUNNING':
    case 'LINE_PORT_BUSY':
    case 'NO_PORT_WAITING_FOR_LABEL':
      return 409;
    case 'KEY_TYPE_NOT_ALLOWED':
    case 'KEY_GENERATION_NOT_ALLOWED':
    case 'SUBJECT_NOT_ALLOWED':
    case 'TEMPLATE_VALUE_MISSING':
    case 'CA_CERT_KEY_MISMATCH':
    case 'CA_CERT_NOT_CA':
    case 'CA_PATH_LENGTH_EXCEEDED':
    case 'CA_CHAIN_INCOMPLETE':
    case 'CA_VID_MISMATCH':
    case 'HSM_KEY_NOT_PROTECTED':
    case 'RECIPE_INVALID':
    case 'LABEL_INVALID':
      return 422;
    // A device's failure is the device's, not the station's: the gateway answering is the station.
    case 'DEVICE_NOT_RESPONDING':
    case 'DEVICE_REFUSED':
    case 'DEVICE_UNPLUGGED':
    case 'DEVICE_ALREADY_LOCKED':
    case 'DEVICE_KEY_MISMATCH':
    case 'DUPLICATE_SERIAL':
    case 'READBACK_MISMATCH':
    case 'POSSESSION_FAILED':
    case 'POSSESSION_UNSUPPORTED':
    case 'LOCK_FAILED':
      return 502;
    case 'HSM_MODULE_NOT_FOUND':
    case 'HSM_MODULE_IN_USE':
    case 'HSM_TOKEN_NOT_FOUND':
    case 'HSM_MECHANISM_UNSUPPORTED':
    case 'HSM_FAILURE':
      return 503;
    case 'STORE_TOO_NEW':
    case 'STORE_MIGRATION_FAILED':
    case 'TRANSPORT_FAILED':
    case 'INTERNAL':
      return 500;
  }
}
