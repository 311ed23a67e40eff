import type { PortState, PortTile } from '../../../preload/contract';

/** How a tile reads at a glance: the colour is only a hint, the icon and the word carry the meaning. */
export type TileKind = 'idle' | 'waiting' | 'busy' | 'label' | 'pass' | 'fail';

export function tileKind(state: PortState): TileKind {
  switch (state) {
    case 'stopped':
      return 'idle';
    case 'waiting':
      return 'waiting';
    case 'waiting-label':
      return 'label';
    case 'pass':
      return 'pass';
    case 'fail':
      return 'fail';
    default:
      return 'busy';
  }
}

export const tileIcons: Record<TileKind, string> = {
  idle: '■',
  waiting: '○',
  busy: '⏳',
  label: '⌨',
  pass: '✓',
  fail: '✕',
};

/** The time to show on a tile: running from detection while in flight, the final time once done. */
export function tileElapsedMs(tile: PortTile, now: number): number | null {
  if (tile.durationMs !== null && (tile.state === 'pass' || tile.state === 'fail')) return tile.durationMs;
  const kind = tileKind(tile.state);
  if (tile.startedAt === null || (kind !== 'busy' && kind !== 'label')) return null;
  return Math.max(0, now - Date.parse(tile.startedAt));
}

export function isInFlight(tile: PortTile): boolean {
  const kind = tileKind(tile.state);
  return kind === 'busy' || kind === 'label';
}
