import assert from 'node:assert/strict';
import { fullAccessContext } from '../../main/core/api/call-context';
import type { Station } from '../../main/core/station';
import { builtInRoleNamed } from '../../main/core/users/built-in-roles';
import type { CallContext } from '../../main/core/api/call-context';
import type { SignedIn, User } from '../../preload/contract';

/** The administrator the e2e and integration tests seed; a password long enough for the policy. */
export const testAdmin = { username: 'ada', displayName: 'Ada Admin', password: 'station-admin-pass-1' } as const;

const seeder = fullAccessContext('test:seed');

export interface SeededUser {
  username: string;
  displayName?: string;
  roleNames: string[];
  password?: string;
  pin?: string;
  badge?: string;
}

/** Adds a person with built-in roles straight through the core, as an administrator would. */
export async function seedUser(station: Station, user: SeededUser): Promise<User> {
  const roleIds = user.roleNames.map((name) => {
    const role = builtInRoleNamed(name);
    assert.ok(role, `no built-in role named ${name}`);
    return role.id;
  });
  const result = await station.dispatch(
    'users.create',
    {
      username: user.username,
      displayName: user.displayName ?? user.username,
      roleIds,
      ...(user.password === undefined ? {} : { password: user.password }),
      ...(user.pin === undefined ? {} : { pin: user.pin }),
      ...(user.badge === undefined ? {} : { badge: user.badge }),
    },
    seeder,
  );
  assert.ok(result.ok, JSON.stringify(result));
  return result.value as User;
}

export function seedAdmin(station: Station): Promise<User> {
  return seedUser(station, { ...testAdmin, roleNames: ['Solution administrator'] });
}

/** Signs in through the contract and returns the session's call context, as a transport would build it. */
export async function signedIn(
  station: Station,
  input: { username: string; password: string },
): Promise<{ signed: SignedIn; ctx: () => CallContext }> {
  const result = await station.dispatch(
    'auth.signIn',
    { method: 'password', username: input.username, password: input.password },
    station.auth.contextFor({}),
  );
  assert.ok(result.ok, JSON.stringify(result));
  const signed = result.value as SignedIn;
  return { signed, ctx: () => station.auth.contextFor({ session: signed.sessionToken }) };
}
