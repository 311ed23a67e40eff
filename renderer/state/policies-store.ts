import { create } from 'zustand';
import type { Policy, PolicyPreset, StationErrorShape } from '../../preload/contract';
import { client } from '../api/client';

interface PoliciesState {
  policies: Policy[];
  presets: PolicyPreset[];
  loaded: boolean;
  error: StationErrorShape | null;
  load(): Promise<void>;
}

export const usePolicies = create<PoliciesState>((set) => ({
  policies: [],
  presets: [],
  loaded: false,
  error: null,
  async load() {
    const [list, presets] = await Promise.all([
      client().call('policies.list', {}),
      client().call('policies.presets', {}),
    ]);
    if (presets.ok) set({ presets: presets.value });
    if (list.ok) set({ policies: list.value, loaded: true, error: presets.ok ? null : presets.error });
    else set({ error: list.error, loaded: true });
  },
}));
