import { create } from 'zustand';
import type { ApiToken, Role, StationErrorShape, User } from '../../preload/contract';
import { client } from '../api/client';
import { useAuth } from './auth-store';

interface UsersState {
  users: User[];
  roles: Role[];
  tokens: ApiToken[];
  /** Users and roles load together (both need users.manage); tokens on their own (tokens.manage). */
  accountsLoaded: boolean;
  tokensLoaded: boolean;
  accountsError: StationErrorShape | null;
  tokensError: StationErrorShape | null;
  loadAccounts(): Promise<void>;
  loadTokens(): Promise<void>;
}

const empty = {
  users: [],
  roles: [],
  tokens: [],
  accountsLoaded: false,
  tokensLoaded: false,
  accountsError: null,
  tokensError: null,
} satisfies Partial<UsersState>;

/** Counts sign-ins: an answer to a call made for an earlier session is dropped, not shown. */
let sessionGeneration = 0;

export const useUsers = create<UsersState>((set) => ({
  ...empty,
  async loadAccounts() {
    const generation = sessionGeneration;
    const [users, roles] = await Promise.all([client().call('users.list', {}), client().call('roles.list', {})]);
    if (generation !== sessionGeneration) return;
    set({
      ...(users.ok ? { users: users.value } : {}),
      ...(roles.ok ? { roles: roles.value } : {}),
      accountsLoaded: true,
      accountsError: !users.ok ? users.error : !roles.ok ? roles.error : null,
    });
  },
  async loadTokens() {
    const generation = sessionGeneration;
    const result = await client().call('tokens.list', {});
    if (generation !== sessionGeneration) return;
    if (result.ok) set({ tokens: result.value, tokensLoaded: true, tokensError: null });
    else set({ tokensError: result.error, tokensLoaded: true });
  },
}));

// Whoever signs in next must not see the last person's lists, not even until the reload answers.
useAuth.subscribe((state, previous) => {
  if (state.session?.user.id === previous.session?.user.id) return;
  sessionGeneration++;
  useUsers.setState(empty);
});
