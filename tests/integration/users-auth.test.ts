import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fullAccessContext } from '../../main/core/api/call-context';
import { openStation, type Station } from '../../main/core/station';
import { builtInRoleNamed } from '../../main/core/users/built-in-roles';
import type { SignedIn } from '../../preload/contract';
import { call, refused } from '../helpers/pki';
import { tempDir } from '../helpers/temp-dir';
import { seedAdmin, seedUser, signedIn, testAdmin } from '../helpers/users';

/** A station whose clock the test moves: idle lock, lockout and token expiry without sleeping. */
function stationWithClock(): { station: Station; dataDir: string; advance(ms: number): void } {
  let now = Date.parse('2026-11-24T08:00:00Z');
  const dataDir = tempDir();
  const station = openStation(dataDir, { auth: { now: () => new Date(now), idleLockSeconds: 60 } });
  return { station, dataDir, advance: (ms) => (now += ms) };
}

const anonymous = (station: Station) => station.auth.contextFor({});

async function signIn(station: Station, input: Record<string, string>) {
  return station.dispatch('auth.signIn', input, anonymous(station));
}

function auditActions(station: Station, action: string): { actor: string; subject: string }[] {
  return station.db.prepare('SELECT actor, subject FROM audit_log WHERE action = ? ORDER BY seq').all(action) as {
    actor: string;
    subject: string;
  }[];
}

describe('first run', () => {
  it('asks for the first administrator, creates exactly one, and signs them in', async () => {
    const { station } = stationWithClock();
    try {
      assert.deepEqual(await call(station, 'auth.state', {}, anonymous(station)), {
        setupRequired: true,
        session: null,
      });
      await refused(
        station,
        'auth.setupFirstAdmin',
        { username: 'ada', displayName: 'Ada', password: 'short' },
        'INVALID_INPUT',
        anonymous(station),
      );
      const signed = await call(
        station,
        'auth.setupFirstAdmin',
        { username: 'Ada', displayName: 'Ada Admin', password: testAdmin.password, pin: '2468' },
        anonymous(station),
      );
      assert.equal(signed.session.user.username, 'ada', 'usernames are stored lower-case');
      assert.deepEqual(signed.session.roles, ['Solution administrator']);
      assert.equal(signed.session.hasPin, true);
      const ctx = station.auth.contextFor({ session: signed.sessionToken });
      assert.equal((await call(station, 'auth.state', {}, ctx)).session?.user.displayName, 'Ada Admin');
      await refused(
        station,
        'auth.setupFirstAdmin',
        { username: 'eve', displayName: 'Eve', password: 'another-long-password' },
        'SETUP_DONE',
        anonymous(station),
      );
      assert.equal((await call(station, 'users.list', {}, ctx)).length, 1);
    } finally {
      await station.close();
    }
  });

  it('keeps no password, PIN, badge or token in clear anywhere in the data folder', async () => {
    const { station, dataDir } = stationWithClock();
    try {
      await seedAdmin(station);
      await seedUser(station, {
        username: 'olga',
        roleNames: ['Line operator'],
        pin: '97531',
        badge: 'BADGE-7Q2Z-SECRET',
        password: 'olga-password-secret',
      });
      const { ctx } = await signedIn(station, testAdmin);
      const { secret } = await call(station, 'tokens.create', { name: 'ci' }, ctx());
      station.db.pragma('wal_checkpoint(TRUNCATE)');
      const needles = [testAdmin.password, 'BADGE-7Q2Z-SECRET', 'olga-password-secret', secret].map((s) =>
        Buffer.from(s),
      );
      const files = (dir: string): string[] =>
        readdirSync(dir).flatMap((name) => {
          const full = path.join(dir, name);
          return statSync(full).isDirectory() ? files(full) : [full];
        });
      for (const file of files(dataDir)) {
        const bytes = readFileSync(file);
        for (const needle of needles) assert.equal(bytes.indexOf(needle), -1, `${needle.toString()} in ${file}`);
      }
    } finally {
      await station.close();
    }
  });
});

describe('sign-in', () => {
  it('locks an account after five wrong passwords, refuses even the right one until the lockout ends, and audits it', async () => {
    const { station, advance } = stationWithClock();
    try {
      await seedAdmin(station);
      await seedUser(station, { username: 'quinn', roleNames: ['QA technician'], password: 'quinn-right-password' });
      for (let i = 0; i < 4; i += 1) {
        const wrong = await signIn(station, { method: 'password', username: 'quinn', password: 'wrong-password!' });
        assert.equal(wrong.ok ? 'ok' : wrong.error.code, 'SIGN_IN_FAILED');
      }
      const fifth = await signIn(station, { method: 'password', username: 'quinn', password: 'wrong-password!' });
      assert.equal(fifth.ok ? 'ok' : fifth.error.code, 'ACCOUNT_LOCKED');
      const right = await signIn(station, { method: 'password', username: 'quinn', password: 'quinn-right-password' });
      assert.equal(right.ok ? 'ok' : right.error.code, 'ACCOUNT_LOCKED');
      assert.deepEqual(
        auditActions(station, 'auth.locked-out').map((e) => e.subject),
        ['quinn'],
      );
      assert.equal(auditActions(station, 'auth.sign-in-failed').length, 5);

      advance(15 * 60_000 + 1000);
      const later = await signIn(station, { method: 'password', username: 'quinn', password: 'quinn-right-password' });
      assert.equal(later.ok, true, 'the lockout ends by itself');
    } finally {
      await station.close();
    }
  });

  it('lets an administrator clear a lockout before it ends', async () => {
    const { station } = stationWithClock();
    try {
      await seedAdmin(station);
      const quinn = await seedUser(station, { username: 'quinn', roleNames: ['QA technician'], pin: '1357' });
      for (let i = 0; i < 5; i += 1) await signIn(station, { method: 'pin', username: 'quinn', pin: '0000' });
      const admin = (await signedIn(station, testAdmin)).ctx;
      const listed = (await call(station, 'users.list', {}, admin())).find((u) => u.id === quinn.id);
      assert.ok(listed?.lockedUntil, 'shown as locked');
      const cleared = await call(station, 'users.clearLockout', { id: quinn.id }, admin());
      assert.equal(cleared.lockedUntil, null);
      assert.equal((await signIn(station, { method: 'pin', username: 'quinn', pin: '1357' })).ok, true);
    } finally {
      await station.close();
    }
  });

  it('answers an unknown user, a service user and a wrong badge with the same SIGN_IN_FAILED', async () => {
    const { station } = stationWithClock();
    try {
      await seedAdmin(station);
      await seedUser(station, { username: 'bea', roleNames: ['Line operator'], badge: '04A1B2C3D4' });
      const admin = (await signedIn(station, testAdmin)).ctx;
      await call(
        station,
        'users.createService',
        { name: 'mes-bridge', displayName: 'MES', permissions: ['devices.view'] },
        admin(),
      );
      const attempts: Record<string, string>[] = [
        { method: 'password', username: 'nobody', password: 'whatever-password' },
        { method: 'password', username: 'mes-bridge', password: 'whatever-password' },
        { method: 'badge', badge: 'FFFFFFFF' },
      ];
      for (const input of attempts) {
        const result = await signIn(station, input);
        assert.equal(result.ok ? 'ok' : result.error.code, 'SIGN_IN_FAILED', JSON.stringify(input));
      }
      const badge = await signIn(station, { method: 'badge', badge: '04A1B2C3D4' });
      assert.ok(badge.ok);
      assert.equal((badge.value as SignedIn).session.user.username, 'bea');
      // The same badge cannot be handed to a second person.
      await refused(
        station,
        'users.create',
        {
          username: 'cid',
          displayName: 'Cid',
          roleIds: [builtInRoleNamed('Line operator')?.id ?? ''],
          badge: '04A1B2C3D4',
        },
        'BADGE_TAKEN',
        admin(),
      );
    } finally {
      await station.close();
    }
  });

  it('locks an idle session; only its PIN opens it, and activity keeps a session open', async () => {
    const { station, advance } = stationWithClock();
    try {
      await seedUser(station, {
        username: 'olga',
        roleNames: ['Line operator'],
        pin: '2580',
        password: 'olga-long-password',
      });
      const signed = await signIn(station, { method: 'pin', username: 'olga', pin: '2580' });
      assert.ok(signed.ok);
      const session = (signed.value as SignedIn).sessionToken;
      const ctx = () => station.auth.contextFor({ session });
      advance(50_000);
      assert.equal((await station.dispatch('line.status', {}, ctx())).ok, true);
      advance(50_000);
      assert.equal((await station.dispatch('line.status', {}, ctx())).ok, true, 'a call 50 s after the last one');
      advance(61_000);
      const idle = await station.dispatch('line.status', {}, ctx());
      assert.equal(idle.ok ? 'ok' : idle.error.code, 'SESSION_LOCKED');
      assert.equal((await call(station, 'auth.state', {}, ctx())).session?.locked, true);
      const wrongPin = await station.dispatch('auth.unlock', { pin: '0000' }, ctx());
      assert.equal(wrongPin.ok ? 'ok' : wrongPin.error.code, 'SIGN_IN_FAILED');
      const unlocked = await call(station, 'auth.unlock', { pin: '2580' }, ctx());
      assert.equal(unlocked.locked, false);
      assert.equal((await station.dispatch('line.status', {}, ctx())).ok, true);
      assert.deepEqual(
        ['auth.idle-locked', 'auth.unlocked'].map((a) => auditActions(station, a).length),
        [1, 1],
      );
      await call(station, 'auth.signOut', {}, ctx());
      const gone = await station.dispatch('line.status', {}, ctx());
      assert.equal(gone.ok ? 'ok' : gone.error.code, 'UNAUTHENTICATED');
    } finally {
      await station.close();
    }
  });

  it('keeps the last administrator: they cannot disable themselves or drop their last managing role', async () => {
    const { station } = stationWithClock();
    try {
      const adminUser = await seedAdmin(station);
      const admin = (await signedIn(station, testAdmin)).ctx;
      await refused(station, 'users.update', { id: adminUser.id, disabled: true }, 'LAST_ADMINISTRATOR', admin());
      const operatorRole = builtInRoleNamed('Line operator')?.id ?? '';
      await refused(
        station,
        'users.update',
        { id: adminUser.id, roleIds: [operatorRole] },
        'LAST_ADMINISTRATOR',
        admin(),
      );
      // With a second administrator, disabling one ends that person's sessions at once.
      await seedUser(station, {
        username: 'bob',
        roleNames: ['Solution administrator'],
        password: 'bob-long-password',
      });
      const bob = await signedIn(station, { username: 'bob', password: 'bob-long-password' });
      await call(station, 'users.update', { id: bob.signed.session.user.id, disabled: true }, admin());
      const after = await station.dispatch('users.list', {}, bob.ctx());
      assert.equal(after.ok ? 'ok' : after.error.code, 'UNAUTHENTICATED');
      const again = await signIn(station, { method: 'password', username: 'bob', password: 'bob-long-password' });
      assert.equal(again.ok ? 'ok' : again.error.code, 'ACCOUNT_DISABLED');
    } finally {
      await station.close();
    }
  });
});

describe('API tokens and service users', () => {
  it('acts as its creator with the creator’s current permissions, logged under the creator; expires and revokes', async () => {
    const { station, advance } = stationWithClock();
    try {
      await seedAdmin(station);
      const dora = await seedUser(station, {
        username: 'dora',
        roleNames: ['Device administrator'],
        password: 'dora-long-password',
      });
      const doraCtx = (await signedIn(station, { username: 'dora', password: 'dora-long-password' })).ctx;
      const created = await call(station, 'tokens.create', { name: 'mes', expiresInDays: 1 }, doraCtx());
      assert.match(created.secret, /^tlt_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.token.prefix, created.secret.slice(0, 12));
      const viaToken = () => station.auth.contextFor({ apiToken: created.secret });
      const group = await call(station, 'devices.list', {}, viaToken());
      assert.ok(Array.isArray(group.items));
      assert.equal(viaToken().actor, 'dora', 'logged under its creator');

      // The token follows its creator's roles as they are now, not as they were.
      const admin = (await signedIn(station, testAdmin)).ctx;
      const creatorRole = builtInRoleNamed('Device creator')?.id ?? '';
      await call(station, 'users.update', { id: dora.id, roleIds: [creatorRole] }, admin());
      const demoted = await station.dispatch('devices.delete', { id: dora.id }, viaToken());
      assert.equal(demoted.ok ? 'ok' : demoted.error.code, 'PERMISSION_DENIED');

      advance(86_400_000 + 1000);
      assert.throws(() => viaToken(), { code: 'TOKEN_EXPIRED' });

      // A day later her session has ended too (12 hours without a call): she signs in again.
      const doraAgain = (await signedIn(station, { username: 'dora', password: 'dora-long-password' })).ctx;
      const second = await call(station, 'tokens.create', { name: 'mes-2' }, doraAgain());
      await call(station, 'tokens.revoke', { id: second.token.id }, doraAgain());
      assert.throws(() => station.auth.contextFor({ apiToken: second.secret }), { code: 'TOKEN_REVOKED' });
      assert.throws(() => station.auth.contextFor({ apiToken: 'tlt_not-a-token' }), { code: 'UNAUTHENTICATED' });
      const listed = await call(station, 'tokens.list', {}, doraAgain());
      assert.deepEqual(
        listed.map((t) => [t.name, t.revokedAt !== null]),
        [
          ['mes-2', true],
          ['mes', false],
        ],
      );
    } finally {
      await station.close();
    }
  });

  it('gives a service user only the permissions it was given, logged under its own name', async () => {
    const { station } = stationWithClock();
    try {
      await seedAdmin(station);
      const admin = (await signedIn(station, testAdmin)).ctx;
      const service = await call(
        station,
        'users.createService',
        { name: 'erp-sync', displayName: 'ERP sync', permissions: ['devices.view'] },
        admin(),
      );
      const { secret } = await call(station, 'tokens.create', { name: 'erp', serviceUserId: service.id }, admin());
      const ctx = () => station.auth.contextFor({ apiToken: secret });
      assert.equal(ctx().actor, 'erp-sync');
      await call(station, 'devices.list', {}, ctx());
      const denied = await station.dispatch('deviceGroups.create', { name: 'Not mine' }, ctx());
      assert.equal(denied.ok ? 'ok' : denied.error.code, 'PERMISSION_DENIED');
      assert.deepEqual(auditActions(station, 'call.refused').at(-1), {
        actor: 'erp-sync',
        subject: 'deviceGroups.create',
      });

      // A service user signs in with nothing, and only a user manager mints its tokens.
      await seedUser(station, { username: 'carl', roleNames: ['Device creator'], password: 'carl-long-password' });
      const carl = (await signedIn(station, { username: 'carl', password: 'carl-long-password' })).ctx;
      await refused(
        station,
        'tokens.create',
        { name: 'sneaky', serviceUserId: service.id },
        'PERMISSION_DENIED',
        carl(),
      );
      await seedUser(station, { username: 'olga', roleNames: ['Line operator'], password: 'olga-long-password' });
      const olga = (await signedIn(station, { username: 'olga', password: 'olga-long-password' })).ctx;
      const noTokens = await station.dispatch('tokens.create', { name: 'x' }, olga());
      assert.equal(noTokens.ok ? 'ok' : noTokens.error.code, 'PERMISSION_DENIED');
    } finally {
      await station.close();
    }
  });

  it('composes custom roles and refuses to delete one in use or a built-in one', async () => {
    const { station } = stationWithClock();
    try {
      await seedAdmin(station);
      const admin = fullAccessContext('test:admin');
      const role = await call(
        station,
        'roles.create',
        { name: 'Label printer', permissions: ['devices.view', 'line.view'] },
        admin,
      );
      assert.equal(role.builtIn, false);
      await refused(
        station,
        'roles.create',
        { name: 'label PRINTER', permissions: ['devices.view'] },
        'ROLE_NAME_TAKEN',
        admin,
      );
      const user = await call(
        station,
        'users.create',
        { username: 'lp', displayName: 'LP', roleIds: [role.id], pin: '4321' },
        admin,
      );
      await refused(station, 'roles.delete', { id: role.id }, 'ROLE_IN_USE', admin);
      await refused(station, 'roles.delete', { id: builtInRoleNamed('QA technician')?.id ?? '' }, 'ROLE_IN_USE', admin);
      const signed = await signIn(station, { method: 'pin', username: 'lp', pin: '4321' });
      assert.ok(signed.ok);
      assert.deepEqual([...(signed.value as SignedIn).session.permissions].sort(), ['devices.view', 'line.view']);
      await call(
        station,
        'users.update',
        { id: user.id, roleIds: [builtInRoleNamed('Line operator')?.id ?? ''] },
        admin,
      );
      await call(station, 'roles.delete', { id: role.id }, admin);
    } finally {
      await station.close();
    }
  });
});
