import { create } from 'zustand';
import type { CreateRecipeInput, LineStatus, Recipe, StationErrorShape } from '../../preload/contract';
import { client } from '../api/client';

interface LineState {
  status: LineStatus | null;
  recipes: Recipe[];
  error: StationErrorShape | null;
  /** The tile the operator clicked: the next scan goes to its port. */
  selectedPort: number | null;
  loadStatus(): Promise<void>;
  loadRecipes(): Promise<void>;
  /** Every 'line.changed' carries the whole status, so the newest one simply replaces ours. */
  apply(status: LineStatus): void;
  select(port: number | null): void;
  start(recipeId: string, lot: string): Promise<StationErrorShape | null>;
  stop(): Promise<StationErrorShape | null>;
  scan(code: string): Promise<StationErrorShape | null>;
  createRecipe(input: CreateRecipeInput): Promise<StationErrorShape | null>;
}

export const useLine = create<LineState>((set, get) => ({
  status: null,
  recipes: [],
  error: null,
  selectedPort: null,
  async loadStatus() {
    const result = await client().call('line.status', {});
    if (result.ok) set({ status: result.value, error: null });
    else set({ error: result.error });
  },
  async loadRecipes() {
    const result = await client().call('recipes.list', {});
    if (result.ok) set({ recipes: result.value });
    else set({ error: result.error });
  },
  apply(status) {
    set({ status });
  },
  select(port) {
    set({ selectedPort: port });
  },
  async start(recipeId, lot) {
    const trimmed = lot.trim();
    const result = await client().call('line.start', { recipeId, ...(trimmed ? { lot: trimmed } : {}) });
    if (!result.ok) return result.error;
    set({ status: result.value, selectedPort: null });
    return null;
  },
  async stop() {
    const result = await client().call('line.stop', {});
    if (!result.ok) return result.error;
    set({ status: result.value, selectedPort: null });
    return null;
  },
  async scan(code) {
    const port = get().selectedPort;
    const result = await client().call('line.scan', { code, ...(port === null ? {} : { port }) });
    if (!result.ok) return result.error;
    // The label is spent: the next scan goes to whichever port waits first, unless a tile is picked again.
    set({ status: result.value, selectedPort: null });
    return null;
  },
  async createRecipe(input) {
    const result = await client().call('recipes.create', input);
    if (!result.ok) return result.error;
    set({ recipes: [...get().recipes.filter((r) => r.id !== result.value.id), result.value] });
    return null;
  },
}));
