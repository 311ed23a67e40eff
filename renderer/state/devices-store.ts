import { create } from 'zustand';
import type { Device, DeviceStatus, LifecycleState, ListDevicesInput, StationErrorShape } from '../../preload/contract';
import { parseAttributeFilter } from '../../preload/contract';
import { client } from '../api/client';

export interface DeviceFilters {
  search: string;
  groupId: string;
  state: LifecycleState | '';
  status: DeviceStatus | '';
  /** As typed: "mac=00:11:22:33:44:55". */
  attribute: string;
}

export const emptyFilters: DeviceFilters = { search: '', groupId: '', state: '', status: '', attribute: '' };

interface DevicesState {
  filters: DeviceFilters;
  /** The query the loaded items answer; further pages must use it, not filters typed since. */
  query: ListDevicesInput | null;
  items: Device[];
  total: number;
  nextCursor: string | null;
  loading: boolean;
  error: StationErrorShape | null;
  selectedId: string | null;
  setFilters(patch: Partial<DeviceFilters>): void;
  reload(): Promise<void>;
  loadMore(): Promise<void>;
  select(id: string | null): void;
  replace(device: Device): void;
}

const pageSize = 100;

export function attributeFilterValid(text: string): boolean {
  return text.trim() === '' || parseAttributeFilter(text) !== null;
}

function toQuery(filters: DeviceFilters, cursor: string | null): ListDevicesInput {
  const attribute = filters.attribute.trim() ? parseAttributeFilter(filters.attribute) : null;
  return {
    limit: pageSize,
    ...(filters.search.trim() ? { search: filters.search.trim() } : {}),
    ...(filters.groupId ? { groupId: filters.groupId } : {}),
    ...(filters.state ? { state: filters.state } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(attribute ? { attribute } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

// Answers can arrive out of order while the operator types; only the latest request may land.
let generation = 0;

export const useDevices = create<DevicesState>((set, get) => ({
  filters: emptyFilters,
  query: null,
  items: [],
  total: 0,
  nextCursor: null,
  loading: false,
  error: null,
  selectedId: null,
  setFilters(patch) {
    set({ filters: { ...get().filters, ...patch } });
    // An unfinished attribute filter changes nothing yet: the shown list keeps its own query.
    if (attributeFilterValid(get().filters.attribute)) void get().reload();
  },
  async reload() {
    const mine = ++generation;
    const query = toQuery(get().filters, null);
    set({ loading: true });
    const result = await client().call('devices.list', query);
    if (mine !== generation) return;
    if (result.ok) {
      set({
        query,
        items: result.value.items,
        total: result.value.total ?? 0,
        nextCursor: result.value.nextCursor,
        error: null,
      });
    } else set({ error: result.error });
    set({ loading: false });
  },
  async loadMore() {
    const { nextCursor, loading, query } = get();
    if (!nextCursor || loading || !query) return;
    const mine = ++generation;
    set({ loading: true });
    const result = await client().call('devices.list', { ...query, cursor: nextCursor });
    if (mine !== generation) return;
    if (result.ok) {
      set({
        items: [...get().items, ...result.value.items],
        nextCursor: result.value.nextCursor,
        error: null,
      });
    } else set({ error: result.error });
    set({ loading: false });
  },
  select(id) {
    set({ selectedId: id });
  },
  replace(device) {
    set({ items: get().items.map((d) => (d.id === device.id ? device : d)) });
  },
}));
