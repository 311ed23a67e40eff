import { isKeyStoreError } from '../../../hsm';
import { StationError } from './station-error';

/** Key-store failures keep their code (HSM_PIN_INCORRECT, …) so the UI can explain them. */
export function toStationError(error: unknown, step: string): unknown {
  if (isKeyStoreError(error)) {
    return new StationError(error.code, error.message, {
      step,
      ...(error.ckr ? { params: { ckr: error.ckr } } : {}),
      cause: error,
    });
  }
  return error;
}
