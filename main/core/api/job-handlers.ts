import type { JobService } from '../jobs/job-service';
import type { CallContext } from './call-context';
import { assertAllowed, type Handlers } from './dispatcher';

type JobCalls =
  'jobs.template' | 'jobs.create' | 'jobs.list' | 'jobs.get' | 'jobs.problems' | 'jobs.start' | 'jobs.cancel';

/**
 * Running a batch is jobs.run; what the batch does needs the permission doing it one by one
 * needs: registering devices, or issuing certificates.
 */
function requireWorkPermission(ctx: CallContext, kind: string, call: 'jobs.create' | 'jobs.start'): void {
  assertAllowed(ctx, kind === 'register-devices' ? 'devices.create' : 'certificates.issue', call);
}

export function jobHandlers(jobs: JobService): Pick<Handlers, JobCalls> {
  return {
    'jobs.template': (input) => jobs.template(input),
    'jobs.create': (input, ctx) => {
      requireWorkPermission(ctx, input.options.kind, 'jobs.create');
      return jobs.create(input, ctx);
    },
    'jobs.list': () => jobs.list(),
    'jobs.get': (input) => jobs.get(input.id),
    'jobs.problems': (input) => jobs.problems(input),
    'jobs.start': (input, ctx) => {
      requireWorkPermission(ctx, jobs.get(input.id).kind, 'jobs.start');
      return jobs.start(input, ctx);
    },
    'jobs.cancel': (input, ctx) => jobs.cancel(input.id, ctx),
  };
}
