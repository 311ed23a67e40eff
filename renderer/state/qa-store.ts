import { create } from 'zustand';
import type { LineRun, QaInspectInput, QaInspection, QaReport, StationErrorShape } from '../../preload/contract';
import { client } from '../api/client';

interface QaState {
  inspection: QaInspection | null;
  runs: LineRun[];
  busy: boolean;
  error: StationErrorShape | null;
  inspect(input: QaInspectInput): Promise<void>;
  recordVerdict(verdict: 'pass' | 'fail', technician: string, notes: string): Promise<StationErrorShape | null>;
  loadRuns(): Promise<void>;
  report(
    runId: string,
    format: 'csv' | 'pdf',
  ): Promise<{ ok: true; report: QaReport } | { ok: false; error: StationErrorShape }>;
}

export const useQa = create<QaState>((set, get) => ({
  inspection: null,
  runs: [],
  busy: false,
  error: null,
  async inspect(input) {
    // A new inspection replaces the old one at once, so a verdict can never land on stale checks.
    set({ busy: true, error: null, inspection: null });
    const result = await client().call('qa.inspect', input);
    if (result.ok) set({ inspection: result.value, busy: false });
    else set({ error: result.error, busy: false });
  },
  async recordVerdict(verdict, technician, notes) {
    const inspection = get().inspection;
    if (!inspection) return null;
    const result = await client().call('qa.recordVerdict', {
      inspectionId: inspection.id,
      verdict,
      technician,
      notes,
    });
    return result.ok ? null : result.error;
  },
  async loadRuns() {
    const result = await client().call('line.runs', {});
    if (result.ok) set({ runs: result.value });
    else set({ error: result.error });
  },
  async report(runId, format) {
    const result = await client().call('qa.report', { runId, format });
    return result.ok ? { ok: true, report: result.value } : { ok: false, error: result.error };
  },
}));
