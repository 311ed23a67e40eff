import { create } from 'zustand';
import type { Permission } from '../../preload/contract';

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
export const builtAreas: ReadonlySet<Area> = new Set<Area>([
  'devices',
  'deviceGroups',
  'policies',
  'line',
  'qa',
  'users',
  'audit',
  'jobs',
]);

/** A person sees an area when they hold any of these; the core still checks every call. */
const areaPermissions: Record<Area, readonly Permission[]> = {
  line: ['line.view'],
  qa: ['qa.verify'],
  devices: ['devices.view'],
  deviceGroups: ['deviceGroups.view'],
  jobs: ['jobs.run'],
  policies: ['policies.view', 'cas.view'],
  users: ['users.manage', 'tokens.manage'],
  audit: ['audit.view'],
  settings: ['settings.manage'],
};

export function allowedAreas(permissions: readonly Permission[]): Area[] {
  return areas.filter((area) => areaPermissions[area].some((p) => permissions.includes(p)));
}

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
