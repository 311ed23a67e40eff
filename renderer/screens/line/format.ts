import type { TFunction } from 'i18next';

/** Tenths of seconds under a minute (a device takes seconds), minutes:seconds beyond. */
export function formatDuration(ms: number, t: TFunction): string {
  if (ms < 60_000) return t('line.seconds', { value: (ms / 1000).toFixed(1) });
  const total = Math.floor(ms / 1000);
  return t('line.minutesSeconds', { m: Math.floor(total / 60), s: String(total % 60).padStart(2, '0') });
}
