import { create } from 'zustand';
import type { Ca, KeyStoreStatus, StationErrorShape } from '../../preload/contract';
import { client } from '../api/client';

interface CaState {
  keyStore: KeyStoreStatus | null;
  keyStoreError: StationErrorShape | null;
  /** The security-officer PIN of a token the last unlock created: shown once, never fetched again. */
  createdSoPin: string | null;
  cas: Ca[];
  loaded: boolean;
  error: StationErrorShape | null;
  load(): Promise<void>;
  /** Resolves to the station's refusal, or null once the key store is open. */
  unlock(pin: string): Promise<StationErrorShape | null>;
  dismissSoPin(): void;
}

/** The key store that holds the CA keys, and the CAs the station knows. */
export const useCas = create<CaState>((set) => ({
  keyStore: null,
  keyStoreError: null,
  createdSoPin: null,
  cas: [],
  loaded: false,
  error: null,
  async load() {
    const [status, list] = await Promise.all([client().call('keyStore.status', {}), client().call('cas.list', {})]);
    set(status.ok ? { keyStore: status.value, keyStoreError: null } : { keyStoreError: status.error });
    set(list.ok ? { cas: list.value, error: null, loaded: true } : { error: list.error, loaded: true });
  },
  async unlock(pin) {
    const result = await client().call('keyStore.unlock', { pin });
    if (!result.ok) return result.error;
    set({ keyStore: result.value, keyStoreError: null, createdSoPin: result.value.soPin ?? null });
    return null;
  },
  dismissSoPin() {
    set({ createdSoPin: null });
  },
}));

/** CAs whose key is in this station's key store and that have their certificate: they can sign. */
export function signingCas(cas: Ca[]): Ca[] {
  return cas.filter((ca) => ca.kind === 'issuing' && ca.status === 'ready');
}
