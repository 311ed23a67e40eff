import { type Permission, permissions } from '../../../preload/contract';

/** Who is calling and what they may do. Built by the transport, checked by the dispatcher. */
export interface CallContext {
  actor: string;
  permissions: ReadonlySet<Permission>;
  /** The user behind the call; absent for in-process tools and anonymous callers. */
  userId?: string;
  /** The signed-in session the call came with (bridge, Electron), for sign-out, lock and unlock. */
  sessionToken?: string;
  /** The API token the call came with, when it did. */
  tokenId?: string;
  /** Why a caller holds no permissions, so the refusal can say what to do. */
  refusal?: 'signed-out' | 'locked' | 'setup-required';
  /** Marks the session active; the dispatcher calls it for every permitted call. */
  touch?: () => void;
}

/**
 * Every permission, under a fixed name: for in-process tests and benches that exercise the core
 * directly, never for a transport a person reaches (those resolve a session or a token).
 */
export function fullAccessContext(actor: string): CallContext {
  return { actor, permissions: new Set(permissions) };
}
