import { create } from 'zustand';
import type { CallInput, Permission, Result, SessionInfo, SignedIn, StationErrorShape } from '../../preload/contract';
import { client } from '../api/client';

export type AuthPhase = 'loading' | 'setup' | 'signed-out' | 'locked' | 'signed-in';

/** Per tab, like the launch token: a reload keeps the session, closing the tab ends it here. */
const sessionKey = 'trustline.session';

interface AuthState {
  phase: AuthPhase;
  session: SessionInfo | null;
  /** Why loading the auth state failed (the station did not answer); the other actions return theirs. */
  error: StationErrorShape | null;
  load(): Promise<void>;
  setUp(input: CallInput<'auth.setupFirstAdmin'>): Promise<StationErrorShape | null>;
  signIn(input: CallInput<'auth.signIn'>): Promise<StationErrorShape | null>;
  unlock(input: CallInput<'auth.unlock'>): Promise<StationErrorShape | null>;
  lock(): Promise<void>;
  signOut(): Promise<void>;
  /** What the core told us when a call was refused for the session itself (see Client.onAuthError). */
  sessionLocked(): void;
  sessionEnded(): void;
  can(permission: Permission): boolean;
}

function keepToken(token: string | null): void {
  if (token) sessionStorage.setItem(sessionKey, token);
  else sessionStorage.removeItem(sessionKey);
  client().setSession(token);
}

function phaseOf(session: SessionInfo): AuthPhase {
  return session.locked ? 'locked' : 'signed-in';
}

export const useAuth = create<AuthState>((set, get) => {
  const signedIn = (result: Result<SignedIn>): StationErrorShape | null => {
    if (!result.ok) return result.error;
    keepToken(result.value.sessionToken);
    set({ session: result.value.session, phase: phaseOf(result.value.session), error: null });
    return null;
  };
  const unlocked = (result: Result<SessionInfo>): StationErrorShape | null => {
    if (result.ok) {
      set({ session: result.value, phase: phaseOf(result.value) });
      return null;
    }
    // The core may have dropped the session meanwhile (a restart, a sign-out elsewhere).
    if (result.error.code === 'UNAUTHENTICATED') get().sessionEnded();
    return result.error;
  };

  return {
    phase: 'loading',
    session: null,
    error: null,
    async load() {
      client().setSession(sessionStorage.getItem(sessionKey));
      const result = await client().call('auth.state', {});
      if (!result.ok) return set({ error: result.error });
      const { setupRequired, session } = result.value;
      if (!session) keepToken(null);
      if (setupRequired) set({ phase: 'setup', session: null, error: null });
      else if (!session) set({ phase: 'signed-out', session: null, error: null });
      else set({ phase: phaseOf(session), session, error: null });
    },
    async setUp(input) {
      const error = signedIn(await client().call('auth.setupFirstAdmin', input));
      // Someone else was quicker at another window: this one signs in like everybody else.
      if (error?.code === 'SETUP_DONE') set({ phase: 'signed-out' });
      return error;
    },
    async signIn(input) {
      const error = signedIn(await client().call('auth.signIn', input));
      if (error?.code === 'SETUP_REQUIRED') set({ phase: 'setup' });
      return error;
    },
    async unlock(input) {
      return unlocked(await client().call('auth.unlock', input));
    },
    async lock() {
      // Show the lock screen at once: the station locks on its own timer anyway.
      get().sessionLocked();
      unlocked(await client().call('auth.lock', {}));
    },
    async signOut() {
      await client().call('auth.signOut', {});
      get().sessionEnded();
    },
    sessionLocked() {
      const session = get().session;
      if (!session) return get().sessionEnded();
      set({ phase: 'locked', session: { ...session, locked: true } });
    },
    sessionEnded() {
      keepToken(null);
      set({ phase: 'signed-out', session: null });
    },
    can(permission) {
      return get().session?.permissions.includes(permission) ?? false;
    },
  };
});

/** A component re-renders when the answer changes, not on every session update. */
export function useCan(permission: Permission): boolean {
  return useAuth((s) => s.session?.permissions.includes(permission) ?? false);
}
