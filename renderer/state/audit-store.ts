import { create } from 'zustand';
import type { AuditEntryView, AuditFilter, CallOutput, Result, StationErrorShape } from '../../preload/contract';
import { client } from '../api/client';

export type AuditVerification = CallOutput<'audit.verify'>;
export type AuditExport = CallOutput<'audit.export'>;

const pageSize = 100;

interface AuditState {
  filter: AuditFilter;
  entries: AuditEntryView[];
  /** Where the next older page starts; null once the start of the log (for this filter) is shown. */
  nextBeforeSeq: number | null;
  busy: boolean;
  error: StationErrorShape | null;
  verification: AuditVerification | null;
  search(filter: AuditFilter): Promise<void>;
  loadOlder(): Promise<void>;
  exportCsv(): Promise<Result<AuditExport>>;
  verify(): Promise<void>;
  /** Forgets what was shown: the next person at the station starts from nothing. */
  reset(): void;
}

const initial = { filter: {}, entries: [], nextBeforeSeq: null, busy: false, error: null, verification: null };

// Each page request gets a number; an answer for an older search than the latest is dropped.
let latestRequest = 0;

export const useAudit = create<AuditState>((set, get) => ({
  ...initial,
  async search(filter) {
    const request = ++latestRequest;
    set({ filter, busy: true, error: null });
    const result = await client().call('audit.list', { ...filter, limit: pageSize });
    if (request !== latestRequest) return;
    if (result.ok) set({ entries: result.value.entries, nextBeforeSeq: result.value.nextBeforeSeq, busy: false });
    else set({ entries: [], nextBeforeSeq: null, error: result.error, busy: false });
  },
  async loadOlder() {
    const { filter, nextBeforeSeq, busy } = get();
    if (nextBeforeSeq === null || busy) return;
    const request = ++latestRequest;
    set({ busy: true, error: null });
    const result = await client().call('audit.list', { ...filter, beforeSeq: nextBeforeSeq, limit: pageSize });
    if (request !== latestRequest) return;
    if (result.ok) {
      set({
        entries: [...get().entries, ...result.value.entries],
        nextBeforeSeq: result.value.nextBeforeSeq,
        busy: false,
      });
    } else set({ error: result.error, busy: false });
  },
  exportCsv() {
    return client().call('audit.export', get().filter);
  },
  async verify() {
    set({ verification: null, error: null });
    const result = await client().call('audit.verify', {});
    if (result.ok) set({ verification: result.value });
    else set({ error: result.error });
  },
  reset() {
    latestRequest++;
    set(initial);
  },
}));
