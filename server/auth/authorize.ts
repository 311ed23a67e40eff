import type { Queryable } from '../db/pool';
import { recordServerAudit } from '../audit/server-audit';
import { ServerError } from '../errors';
import type { Route } from '../routes/route';
import { isPermission } from './permissions';
import { actorOf, type Principal, type UserPrincipal } from './principal';

/** The one place a route's declared access is enforced; a refusal is audited under the caller. */
export async function authorize(db: Queryable, route: Route, principal: Principal): Promise<void> {
  const reason = refusal(route, principal);
  if (reason === null) return;
  throw await refuseCall(db, principal, `${route.method} ${route.path}`, reason, route.access);
}

/** For the checks a handler makes beyond its route's access (whose token, whose user): audited the same way. */
export async function refuseCall(
  db: Queryable,
  principal: Principal,
  subject: string,
  reason: string,
  required: string,
): Promise<ServerError> {
  await recordServerAudit(db, {
    actor: actorOf(principal),
    action: 'call.refused',
    subject,
    details: { reason, required },
  });
  return new ServerError('PERMISSION_DENIED', reason, { required });
}

function refusal(route: Route, principal: Principal): string | null {
  if (route.access === 'station') {
    return principal.kind === 'station' ? null : 'Only an enrolled station may call this route.';
  }
  if (principal.kind !== 'user') return 'A station credential cannot call this route.';
  if (route.access === 'user' || route.access === 'public') return null;
  return principal.permissions.has(route.access) ? null : `This call needs the ${route.access} permission.`;
}

/**
 * The permissions in `granted` the caller does not hold (an unknown name counts as not held):
 * nobody hands out, through a service user or its token, more than they have themselves.
 */
export const beyondCaller = (principal: UserPrincipal, granted: readonly string[]): string[] =>
  [...new Set(granted)].filter((p) => !isPermission(p) || !principal.permissions.has(p));
