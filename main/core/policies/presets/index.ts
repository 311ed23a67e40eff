import { idevidPreset } from './ieee-802-1ar-idevid';
import { matterDacPreset } from './matter-dac';
import type { PolicyPresetDefinition } from './preset';
import { tlsClientPreset } from './tls-client';

/** Every preset, by name. A new preset is one file and one line here. */
export const policyPresets: readonly PolicyPresetDefinition[] = [tlsClientPreset, idevidPreset, matterDacPreset];

export function findPreset(name: string): PolicyPresetDefinition | undefined {
  return policyPresets.find((p) => p.name === name);
}
export type { PolicyPresetDefinition } from './preset';
