import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CallContext } from '../../main/core/api/call-context';
import type { Station } from '../../main/core/station';
import { builtInRoles } from '../../main/core/users/built-in-roles';
import { callNames, calls, type CallName, type Permission } from '../../preload/contract';
import { rowCounts, testStation } from '../helpers/station';
import { seedUser, signedIn } from '../helpers/users';

const protectedCalls = callNames.filter((name) => calls[name].permission !== 'public');

/** What each built-in role must and must not do, whatever else changes: the roles' promises to a factory. */
const promises: Record<string, { may: CallName[]; mayNot: CallName[] }> = {
  'Line operator': {
    may: ['line.start', 'line.scan', 'line.status'],
    mayNot: ['users.list', 'certificates.issue', 'cas.createRoot', 'qa.recordVerdict', 'audit.list', 'recipes.create'],
  },
  'QA technician': { may: ['qa.inspect', 'qa.recordVerdict', 'qa.report'], mayNot: ['line.start', 'users.create'] },
  'Device creator': { may: ['devices.register', 'devices.list'], mayNot: ['certificates.issue', 'devices.delete'] },
  'Device administrator': {
    may: ['certificates.issue', 'devices.setStatus', 'devices.delete'],
    mayNot: ['policies.create', 'cas.createRoot', 'users.create', 'deviceGroups.create'],
  },
  'Solution administrator': { may: protectedCalls, mayNot: [] },
};

async function refusalAudited(station: Station, actor: string, call: CallName): Promise<boolean> {
  const row = station.db
    .prepare("SELECT actor, subject, details FROM audit_log WHERE action = 'call.refused' ORDER BY seq DESC LIMIT 1")
    .get() as { actor: string; subject: string; details: string } | undefined;
  return row?.actor === actor && row.subject === call;
}

describe('every contract call × every built-in role', () => {
  let station: Station;
  const contexts = new Map<string, () => CallContext>();

  before(async () => {
    station = testStation();
    for (const [index, role] of builtInRoles.entries()) {
      const username = `user-${index}`;
      await seedUser(station, { username, roleNames: [role.name], password: 'a-long-enough-password' });
      contexts.set(role.name, (await signedIn(station, { username, password: 'a-long-enough-password' })).ctx);
    }
  });
  after(() => station.close());

  it('covers every call the contract declares (a new call is in this table the day it is added)', () => {
    assert.ok(protectedCalls.length >= 50, `only ${protectedCalls.length} protected calls`);
    for (const role of builtInRoles) assert.ok(promises[role.name], `no promises written down for ${role.name}`);
  });

  for (const role of builtInRoles) {
    it(`${role.name}: allowed exactly the calls whose permission the role holds; refusals change nothing and are audited`, async () => {
      const ctx = contexts.get(role.name);
      assert.ok(ctx);
      const held = new Set<Permission>(role.permissions);
      const username = `user-${builtInRoles.indexOf(role)}`;
      for (const name of protectedCalls) {
        const permission = calls[name].permission as Permission;
        const before = rowCounts(station.db);
        // An empty input: an allowed call gets as far as validating it (or runs, if {} is valid);
        // a refused one must never get that far.
        const result = await station.dispatch(name, {}, ctx());
        const refused = !result.ok && result.error.code === 'PERMISSION_DENIED';
        assert.equal(refused, !held.has(permission), `${role.name} × ${name} (${permission})`);
        if (refused) {
          const afterCounts = rowCounts(station.db);
          assert.equal(afterCounts.audit_log, (before.audit_log ?? 0) + 1, `${name}: one audit entry for the refusal`);
          // The refusal's audit entry is queued for the central server like any other.
          assert.equal(afterCounts.sync_outbox, (before.sync_outbox ?? 0) + 1, `${name}: its audit entry is queued`);
          const unchanged = (counts: Record<string, number>) => ({ ...counts, audit_log: 0, sync_outbox: 0 });
          assert.deepEqual(unchanged(afterCounts), unchanged(before), `${name} changed the store`);
          assert.ok(await refusalAudited(station, username, name), `${name}: refusal audited under ${username}`);
        }
      }
    });

    it(`${role.name}: keeps its promises`, () => {
      const held = new Set<Permission>(role.permissions);
      const promise = promises[role.name];
      assert.ok(promise);
      for (const name of promise.may)
        assert.ok(held.has(calls[name].permission as Permission), `${role.name} may ${name}`);
      for (const name of promise.mayNot) {
        assert.ok(!held.has(calls[name].permission as Permission), `${role.name} may not ${name}`);
      }
    });
  }

  it('refuses every protected call to a caller who is not signed in, and to a locked session', async () => {
    const anonymous = station.auth.contextFor({});
    const { ctx } = await signedIn(station, { username: 'user-4', password: 'a-long-enough-password' });
    const locked = ctx();
    await station.dispatch('auth.lock', {}, locked);
    for (const name of protectedCalls) {
      const signedOut = await station.dispatch(name, {}, anonymous);
      assert.equal(signedOut.ok ? 'ok' : signedOut.error.code, 'UNAUTHENTICATED', name);
      const whileLocked = await station.dispatch(name, {}, ctx());
      assert.equal(whileLocked.ok ? 'ok' : whileLocked.error.code, 'SESSION_LOCKED', name);
    }
  });

  it('refuses every protected call with SETUP_REQUIRED on a station with no user yet', async () => {
    const fresh = testStation();
    try {
      const anonymous = fresh.auth.contextFor({});
      for (const name of protectedCalls) {
        const result = await fresh.dispatch(name, {}, anonymous);
        assert.equal(result.ok ? 'ok' : result.error.code, 'SETUP_REQUIRED', name);
      }
    } finally {
      await fresh.close();
    }
  });
});
