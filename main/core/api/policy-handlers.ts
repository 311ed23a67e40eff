import type { Database } from 'better-sqlite3';
import type { EventHub } from '../events/event-hub';
import { createPolicy, getPolicy, listPolicies, updatePolicy } from '../policies/policies.repo';
import { policyPresets } from '../policies/presets';
import { previewPolicy } from '../policies/policy-preview';
import type { Handlers } from './dispatcher';

type PolicyCalls =
  'policies.presets' | 'policies.list' | 'policies.get' | 'policies.create' | 'policies.update' | 'policies.preview';

export function policyHandlers(db: Database, hub: EventHub): Pick<Handlers, PolicyCalls> {
  return {
    'policies.presets': () => policyPresets.map(({ name, title, summary, body }) => ({ name, title, summary, body })),
    'policies.list': () => listPolicies(db),
    'policies.get': (input) => getPolicy(db, input.id),
    'policies.create': (input, ctx) => {
      const policy = createPolicy(db, input, ctx);
      hub.emit('policies.changed', { ids: [policy.id] });
      return policy;
    },
    'policies.update': (input, ctx) => {
      const policy = updatePolicy(db, input, ctx);
      hub.emit('policies.changed', { ids: [policy.id] });
      return policy;
    },
    'policies.preview': (input) => previewPolicy(db, input.body, input.sample),
  };
}
