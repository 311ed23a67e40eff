import type { AuditFilter } from '../../../preload/contract';

/** What the filter fields hold: free text, and times as the datetime-local inputs give them. */
export interface FilterFields {
  actor: string;
  action: string;
  subject: string;
  from: string;
  to: string;
}

export const emptyFields: FilterFields = { actor: '', action: '', subject: '', from: '', to: '' };

/** A datetime-local value ("2026-11-24T08:00") is the station's local time; the core wants ISO. */
function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

/** Empty fields filter nothing, so they are left out rather than sent as "". */
export function toFilter(fields: FilterFields): AuditFilter {
  const filter: AuditFilter = {};
  for (const key of ['actor', 'action', 'subject'] as const) {
    const text = fields[key].trim();
    if (text) filter[key] = text;
  }
  const from = localToIso(fields.from);
  const to = localToIso(fields.to);
  if (from) filter.from = from;
  if (to) filter.to = to;
  return filter;
}
