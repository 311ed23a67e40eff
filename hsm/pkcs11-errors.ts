import pkcs11js from 'pkcs11js';
import { KeyStoreError } from './key-store';
import type { KeyStoreErrorCode } from './key-store';

/**
 * CKR_* names by value, taken from pkcs11js's own constants so the table is complete without
 * copying the standard. The first name wins where the standard has aliases.
 */
const ckrNames = new Map<number, string>();
for (const [name, value] of Object.entries(pkcs11js)) {
  if (name.startsWith('CKR_') && typeof value === 'number' && !ckrNames.has(value)) ckrNames.set(value, name);
}

export function ckrName(code: number): string {
  return ckrNames.get(code) ?? `CKR_0x${code.toString(16).padStart(8, '0')}`;
}

const codeByCkr: Readonly<Record<string, KeyStoreErrorCode>> = {
  CKR_PIN_INCORRECT: 'HSM_PIN_INCORRECT',
  CKR_PIN_LEN_RANGE: 'HSM_PIN_INCORRECT',
  CKR_PIN_LOCKED: 'HSM_PIN_LOCKED',
  CKR_MECHANISM_INVALID: 'HSM_MECHANISM_UNSUPPORTED',
  CKR_TOKEN_NOT_PRESENT: 'HSM_TOKEN_NOT_FOUND',
  CKR_TOKEN_NOT_RECOGNIZED: 'HSM_TOKEN_NOT_FOUND',
  CKR_SLOT_ID_INVALID: 'HSM_TOKEN_NOT_FOUND',
};

/** The CKR_* name of a pkcs11js error, or null when `error` did not come from the module. */
export function ckrOf(error: unknown): string | null {
  if (error instanceof pkcs11js.Pkcs11Error) return ckrName(error.code);
  // Errors crossing the async (thread-pool) path are rebuilt by pkcs11js, sometimes as plain Errors.
  if (error instanceof Error) {
    const match = /\b(CKR_[A-Z0-9_]+)\b/.exec(error.message);
    if (match?.[1]) return match[1];
  }
  return null;
}

/** Wraps anything thrown by the module into a KeyStoreError with a stable code; `doing` says what failed. */
export function toKeyStoreError(error: unknown, doing: string): KeyStoreError {
  if (error instanceof KeyStoreError) return error;
  const ckr = ckrOf(error);
  if (ckr === null) {
    const detail = error instanceof Error ? error.message : String(error);
    return new KeyStoreError('HSM_FAILURE', `${doing}: ${detail}`, { cause: error });
  }
  const code = codeByCkr[ckr] ?? 'HSM_FAILURE';
  return new KeyStoreError(code, `${doing}: ${ckr}`, { ckr, cause: error });
}
