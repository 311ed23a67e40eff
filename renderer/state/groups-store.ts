import { create } from 'zustand';
import type { DeviceGroup, StationErrorShape } from '../../preload/contract';
import { client } from '../api/client';

interface GroupsState {
  groups: DeviceGroup[];
  loaded: boolean;
  error: StationErrorShape | null;
  load(): Promise<void>;
}

export const useGroups = create<GroupsState>((set) => ({
  groups: [],
  loaded: false,
  error: null,
  async load() {
    const result = await client().call('deviceGroups.list', {});
    if (result.ok) set({ groups: result.value, loaded: true, error: null });
    else set({ error: result.error, loaded: true });
  },
}));
