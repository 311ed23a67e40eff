import { z } from 'zod';
import { defineEvent } from './define';
import { jobSchema } from './jobs.schema';
import { lineStatusSchema } from './line.schema';
import { syncStatusSchema } from './sync.schema';

/** Everything the core pushes to the UI, declared once like the calls. */
export const events = {
  'devices.changed': defineEvent({
    summary: 'Devices were registered, updated or deleted',
    payload: z.object({
      change: z.enum(['registered', 'updated', 'deleted']),
      ids: z.array(z.string()),
    }),
  }),
  'deviceGroups.changed': defineEvent({
    summary: 'Device groups were created, renamed or deleted',
    payload: z.object({
      change: z.enum(['created', 'renamed', 'deleted']),
      ids: z.array(z.string()),
    }),
  }),
  'cas.changed': defineEvent({
    summary: 'CAs were created, certified or adopted, or the key store was unlocked',
    payload: z.object({ ids: z.array(z.string()) }),
  }),
  'policies.changed': defineEvent({
    summary: 'Policies were created or changed',
    payload: z.object({ ids: z.array(z.string()) }),
  }),
  'certificates.issued': defineEvent({
    summary: 'Certificates were issued',
    payload: z.object({ ids: z.array(z.string()) }),
  }),
  'line.changed': defineEvent({
    summary: 'The line started, stopped, or a port changed state (throttled; the whole status each time)',
    payload: lineStatusSchema,
  }),
  'jobs.changed': defineEvent({
    summary: 'A batch job progressed or changed state (throttled; the whole job each time)',
    payload: jobSchema,
  }),
  'sync.changed': defineEvent({
    summary: 'The connection to the central server, the queue or the last sync changed (the whole status each time)',
    payload: syncStatusSchema,
  }),
  'recipes.changed': defineEvent({
    summary: 'Station recipes were created, changed or deleted',
    payload: z.object({ ids: z.array(z.string()) }),
  }),
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<N extends EventName> = z.output<Events[N]['payload']>;

export const eventNames = Object.keys(events) as EventName[];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** The one envelope every transport uses to carry an event. */
export const eventEnvelopeSchema = z.object({ name: z.string(), payload: z.unknown() });
export type EventEnvelope = z.infer<typeof eventEnvelopeSchema>;
