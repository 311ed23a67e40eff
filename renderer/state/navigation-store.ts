import { create } from 'zustand';

export const areas = [
  'line',
  'qa',
  'devices',
  'deviceGroups',
  'jobs',
  'policies',
  'users',
  'audit',
  'settings',
] as const;
export type Area = (typeof areas)[number];

/** Areas that work in this version; the others say so plainly. */
export const builtAreas: ReadonlySet<Area> = new Set<Area>(['devices', 'deviceGroups', 'policies', 'line', 'qa']);

function areaFromHash(): Area {
  const wanted = window.location.hash.replace(/^#\//, '');
  return (areas as readonly string[]).includes(wanted) ? (wanted as Area) : 'devices';
}

interface NavigationState {
  area: Area;
  go(area: Area): void;
}

export const useNavigation = create<NavigationState>((set) => ({
  area: areaFromHash(),
  go(area) {
    history.replaceState(null, '', `#/${area}`);
    set({ area });
  },
}));
