import os from 'node:os';
import { type Permission, permissions } from '../../../preload/contract';

/** Who is calling and what they may do. Built by the transport, checked by the dispatcher. */
export interface CallContext {
  actor: string;
  permissions: ReadonlySet<Permission>;
}

/**
 * The person at the station before users and roles exist: every permission, named after the
 * OS account. The user model replaces this with the logged-in user's role.
 */
export function localOperatorContext(actor = `local:${os.userInfo().username}`): CallContext {
  return { actor, permissions: new Set(permissions) };
}
