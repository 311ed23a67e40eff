import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import {
  type AuthState,
  type Permission,
  permissions,
  type SessionInfo,
  type SignedIn,
  type SignInInput,
} from '../../../preload/contract';
import type { CallContext } from '../api/call-context';
import { appendAudit, recordAuditEvent } from '../audit/audit-log.repo';
import { StationError } from '../errors/station-error';
import { writeTransaction } from '../store/write-transaction';
import { findTokenBySecret, markTokenUsed } from './api-tokens.repo';
import { solutionAdministrator } from './built-in-roles';
import { digest, hashSecret, newSessionToken, verifyDecoy, verifySecret } from './secrets';
import {
  effectivePermissions,
  findUserRow,
  findUserRowByBadge,
  findUserRowById,
  getUserRow,
  insertUser,
  roleNamesOf,
  type UserRow,
  updateUserRow,
  userCount,
} from './users.repo';

export interface AuthOptions {
  /** A session with no call for this long locks; only its PIN or password opens it again. */
  idleLockSeconds?: number;
  /** Consecutive failed sign-ins (password or PIN) that lock an account ... */
  lockoutThreshold?: number;
  /** ... for this long, unless an administrator clears the lockout first. */
  lockoutMinutes?: number;
  now?: () => Date;
}

interface Session {
  userId: string;
  lastActivity: number;
  locked: boolean;
}

export interface AuthService {
  readonly idleLockSeconds: number;
  /** The station's clock for sign-in matters (token expiry, lockout): tests move it. */
  now(): Date;
  setupRequired(): boolean;
  /** What a transport presents: an API token wins over a session. Throws only for a bad token. */
  contextFor(credentials: { session?: string | null | undefined; apiToken?: string | undefined }): CallContext;
  /** The caller behind a session token (or behind none); never throws. */
  sessionContext(token: string | null | undefined): CallContext;
  /** The caller behind an API token: its user's permissions now, logged under that user's name. */
  tokenContext(secret: string): CallContext;
  /** For the CLI: a username and password checked like a sign-in (lockout included), without a session. */
  passwordContext(username: string, password: string): Promise<CallContext>;
  /** For the CLI on a station nobody has set up yet: the person at the console may do everything. */
  setupContext(actor: string): CallContext | null;
  state(ctx: CallContext): AuthState;
  setupFirstAdmin(
    input: { username: string; displayName: string; password: string; pin?: string | undefined },
    actorHint: string,
  ): Promise<SignedIn>;
  signIn(input: SignInInput): Promise<SignedIn>;
  signOut(ctx: CallContext): { signedOut: boolean };
  lock(ctx: CallContext): SessionInfo;
  unlock(input: { pin: string } | { password: string }, ctx: CallContext): Promise<SessionInfo>;
  /** Ends every session of a user (disabled, locked out). */
  endSessionsOf(userId: string): void;
}

const idleLockEnv = z.coerce.number().int().min(1).max(86_400);

/** TRUSTLINE_IDLE_LOCK_SECONDS (1 to 86,400) sets the idle lock of `serve` and the desktop app. */
export function authOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): AuthOptions {
  const raw = env.TRUSTLINE_IDLE_LOCK_SECONDS;
  if (raw === undefined || raw === '') return {};
  const parsed = idleLockEnv.safeParse(raw);
  if (!parsed.success) {
    throw new StationError(
      'INVALID_INPUT',
      `TRUSTLINE_IDLE_LOCK_SECONDS must be a whole number from 1 to 86400, got "${raw}".`,
      {
        step: 'configure',
      },
    );
  }
  return { idleLockSeconds: parsed.data };
}

const maxSessions = 1000;
const sessionMaxIdleMs = 12 * 60 * 60 * 1000;

function signInFailed(step: string): StationError {
  return new StationError('SIGN_IN_FAILED', 'Wrong username, password, PIN or badge.', { step });
}

export function createAuthService(db: Database, options: AuthOptions = {}): AuthService {
  const idleLockSeconds = options.idleLockSeconds ?? 300;
  const lockoutThreshold = options.lockoutThreshold ?? 5;
  const lockoutMs = (options.lockoutMinutes ?? 15) * 60_000;
  const now = options.now ?? (() => new Date());
  const sessions = new Map<string, Session>();

  const anonymous = (refusal: 'signed-out' | 'setup-required'): CallContext => ({
    actor: 'anonymous',
    permissions: new Set(),
    refusal,
  });
  const setupRequired = () => userCount(db) === 0;

  function sessionInfo(session: Session, row: UserRow): SessionInfo {
    return {
      user: { id: row.id, username: row.username, displayName: row.display_name, kind: row.kind },
      roles: roleNamesOf(db, row.id),
      permissions: [...effectivePermissions(db, row)],
      locked: session.locked,
      idleLockSeconds,
      hasPin: row.pin_hash !== null,
    };
  }

  function startSession(row: UserRow): SignedIn {
    if (sessions.size >= maxSessions) {
      const oldest = [...sessions.entries()].sort((a, b) => a[1].lastActivity - b[1].lastActivity)[0];
      if (oldest) sessions.delete(oldest[0]);
    }
    const token = newSessionToken();
    const session: Session = { userId: row.id, lastActivity: now().getTime(), locked: false };
    sessions.set(token, session);
    return { sessionToken: token, session: sessionInfo(session, row) };
  }

  function lockedUntil(row: UserRow): string | null {
    return row.locked_until !== null && Date.parse(row.locked_until) > now().getTime() ? row.locked_until : null;
  }

  function refuseLockedOrDisabled(row: UserRow, step: string): void {
    const until = lockedUntil(row);
    if (until !== null) {
      throw new StationError('ACCOUNT_LOCKED', `The account ${row.username} is locked until ${until}.`, {
        step,
        params: { until },
      });
    }
    if (row.disabled === 1) {
      throw new StationError('ACCOUNT_DISABLED', `The account ${row.username} is disabled.`, { step });
    }
  }

  /** Counts a wrong password or PIN; the one that reaches the threshold locks the account. */
  function recordFailure(row: UserRow, method: string, step: string): StationError {
    const time = now();
    const lockedOut = writeTransaction(db, () => {
      const fresh = getUserRow(db, row.id, step);
      const failures = fresh.failed_sign_ins + 1;
      const lock = failures >= lockoutThreshold;
      const until = lock ? new Date(time.getTime() + lockoutMs).toISOString() : fresh.locked_until;
      updateUserRow(db, row.id, { failed_sign_ins: lock ? 0 : failures, locked_until: until }, time.toISOString());
      appendAudit(
        db,
        { actor: row.username, action: 'auth.sign-in-failed', subject: row.username, details: { method, failures } },
        time.toISOString(),
      );
      if (lock) {
        appendAudit(
          db,
          { actor: row.username, action: 'auth.locked-out', subject: row.username, details: { until, failures } },
          time.toISOString(),
        );
      }
      return lock ? until : null;
    });
    if (lockedOut !== null) {
      for (const [token, session] of sessions) if (session.userId === row.id) sessions.delete(token);
      return new StationError(
        'ACCOUNT_LOCKED',
        `Too many failed sign-ins: ${row.username} is locked until ${lockedOut}.`,
        {
          step,
          params: { until: lockedOut },
        },
      );
    }
    return signInFailed(step);
  }

  function recordSuccess(row: UserRow, action: string, method: string): void {
    const time = now().toISOString();
    writeTransaction(db, () => {
      if (row.failed_sign_ins !== 0 || row.locked_until !== null) {
        updateUserRow(db, row.id, { failed_sign_ins: 0, locked_until: null }, time);
      }
      appendAudit(db, { actor: row.username, action, subject: row.username, details: { method } }, time);
    });
  }

  /** The person a sign-in names, once their secret checked out; every failure costs the same time. */
  async function authenticate(input: SignInInput, step: string): Promise<UserRow> {
    if (input.method === 'badge') {
      const row = findUserRowByBadge(db, digest(input.badge));
      if (!row || row.kind !== 'person') {
        recordAuditEvent(
          db,
          { actor: 'anonymous', action: 'auth.sign-in-failed', subject: 'badge', details: { method: 'badge' } },
          now().toISOString(),
        );
        throw signInFailed(step);
      }
      refuseLockedOrDisabled(row, step);
      return row;
    }
    const secret = input.method === 'password' ? input.password : input.pin;
    const row = findUserRow(db, input.username);
    const stored =
      row && row.kind === 'person' ? (input.method === 'password' ? row.password_hash : row.pin_hash) : null;
    if (!row || stored === null) {
      await verifyDecoy(secret);
      if (row) throw recordFailure(row, input.method, step);
      recordAuditEvent(
        db,
        {
          actor: 'anonymous',
          action: 'auth.sign-in-failed',
          subject: input.username,
          details: { method: input.method },
        },
        now().toISOString(),
      );
      throw signInFailed(step);
    }
    // A locked account answers "locked" without checking the secret: guessing stops paying off.
    if (lockedUntil(row) !== null) refuseLockedOrDisabled(row, step);
    if (!(await verifySecret(secret, stored))) throw recordFailure(row, input.method, step);
    refuseLockedOrDisabled(row, step);
    return row;
  }

  function userContext(row: UserRow, extra: Partial<CallContext> = {}): CallContext {
    return { actor: row.username, userId: row.id, permissions: effectivePermissions(db, row), ...extra };
  }

  function liveSession(ctx: CallContext, step: string): { token: string; session: Session; row: UserRow } {
    const token = ctx.sessionToken;
    const session = token === undefined ? undefined : sessions.get(token);
    if (token === undefined || !session) {
      throw new StationError('UNAUTHENTICATED', 'Nobody is signed in on this page.', { step });
    }
    return { token, session, row: getUserRow(db, session.userId, step) };
  }

  const service: AuthService = {
    idleLockSeconds,
    now,
    setupRequired,

    contextFor(credentials) {
      return credentials.apiToken !== undefined
        ? service.tokenContext(credentials.apiToken)
        : service.sessionContext(credentials.session);
    },

    sessionContext(token) {
      if (!token) return anonymous(setupRequired() ? 'setup-required' : 'signed-out');
      const session = sessions.get(token);
      if (!session) return anonymous('signed-out');
      const time = now().getTime();
      const row = findUserRowById(db, session.userId);
      if (!row || row.disabled === 1 || time - session.lastActivity > sessionMaxIdleMs) {
        sessions.delete(token);
        return anonymous('signed-out');
      }
      if (!session.locked && time - session.lastActivity > idleLockSeconds * 1000) {
        session.locked = true;
        recordAuditEvent(
          db,
          { actor: row.username, action: 'auth.idle-locked', subject: row.username, details: { idleLockSeconds } },
          now().toISOString(),
        );
      }
      if (session.locked) {
        return { actor: row.username, userId: row.id, sessionToken: token, permissions: new Set(), refusal: 'locked' };
      }
      return userContext(row, {
        sessionToken: token,
        touch: () => {
          session.lastActivity = now().getTime();
        },
      });
    },

    tokenContext(secret) {
      const step = 'api-token';
      const token = findTokenBySecret(db, secret);
      if (!token) throw new StationError('UNAUTHENTICATED', 'This API token is not known to the station.', { step });
      if (token.revoked_at !== null) {
        throw new StationError('TOKEN_REVOKED', `The API token "${token.name}" was revoked.`, { step });
      }
      const time = now();
      if (token.expires_at !== null && Date.parse(token.expires_at) <= time.getTime()) {
        throw new StationError('TOKEN_EXPIRED', `The API token "${token.name}" expired at ${token.expires_at}.`, {
          step,
        });
      }
      const row = getUserRow(db, token.user_id, step);
      if (row.disabled === 1) {
        throw new StationError('ACCOUNT_DISABLED', `The account ${row.username} is disabled.`, { step });
      }
      // One write a minute is enough to show a token is in use; one per call would cost an fsync each.
      if (token.last_used_at === null || time.getTime() - Date.parse(token.last_used_at) > 60_000) {
        markTokenUsed(db, token.id, time.toISOString());
      }
      return userContext(row, { tokenId: token.id });
    },

    async passwordContext(username, password) {
      const row = await authenticate({ method: 'password', username, password }, 'cli-sign-in');
      recordSuccess(row, 'auth.cli-signed-in', 'password');
      return userContext(row);
    },

    setupContext(actor) {
      if (!setupRequired()) return null;
      return { actor, permissions: new Set<Permission>(permissions) };
    },

    state(ctx) {
      const setup = setupRequired();
      if (ctx.sessionToken === undefined) return { setupRequired: setup, session: null };
      const session = sessions.get(ctx.sessionToken);
      const row = session ? findUserRowById(db, session.userId) : undefined;
      return { setupRequired: setup, session: session && row ? sessionInfo(session, row) : null };
    },

    async setupFirstAdmin(input, actorHint) {
      const step = 'setup-first-admin';
      if (!setupRequired()) {
        throw new StationError('SETUP_DONE', 'The station already has an administrator. Sign in instead.', { step });
      }
      const passwordHash = await hashSecret(input.password);
      const pinHash = input.pin === undefined ? null : await hashSecret(input.pin);
      const time = now().toISOString();
      const row = writeTransaction(db, () => {
        // Checked again under the write lock: two first-run forms submitted at once make one admin.
        if (!setupRequired()) {
          throw new StationError('SETUP_DONE', 'The station already has an administrator. Sign in instead.', {
            step,
          });
        }
        const created = insertUser(
          db,
          {
            username: input.username,
            displayName: input.displayName,
            kind: 'person',
            roleIds: [solutionAdministrator.id],
            permissions: [],
            passwordHash,
            pinHash,
            badgeHash: null,
          },
          time,
          step,
        );
        appendAudit(
          db,
          {
            actor: created.username,
            action: 'user.created',
            subject: created.username,
            details: { firstAdministrator: true, roles: [solutionAdministrator.name], setUpFrom: actorHint },
          },
          time,
        );
        return created;
      });
      recordSuccess(row, 'auth.signed-in', 'password');
      return startSession(row);
    },

    async signIn(input) {
      const row = await authenticate(input, 'sign-in');
      recordSuccess(row, 'auth.signed-in', input.method);
      return startSession(getUserRow(db, row.id, 'sign-in'));
    },

    signOut(ctx) {
      const token = ctx.sessionToken;
      const session = token === undefined ? undefined : sessions.get(token);
      if (token === undefined || !session) return { signedOut: false };
      sessions.delete(token);
      const row = findUserRowById(db, session.userId);
      if (row) {
        recordAuditEvent(
          db,
          { actor: row.username, action: 'auth.signed-out', subject: row.username, details: {} },
          now().toISOString(),
        );
      }
      return { signedOut: true };
    },

    lock(ctx) {
      const { session, row } = liveSession(ctx, 'lock');
      if (!session.locked) {
        session.locked = true;
        recordAuditEvent(
          db,
          { actor: row.username, action: 'auth.locked', subject: row.username, details: {} },
          now().toISOString(),
        );
      }
      return sessionInfo(session, row);
    },

    async unlock(input, ctx) {
      const step = 'unlock';
      const { token, session, row } = liveSession(ctx, step);
      const method = 'pin' in input ? 'pin' : 'password';
      const secret = 'pin' in input ? input.pin : input.password;
      const stored = method === 'pin' ? row.pin_hash : row.password_hash;
      refuseLockedOrDisabled(row, step);
      if (stored === null || !(await verifySecret(secret, stored))) {
        if (stored === null) await verifyDecoy(secret);
        const error = recordFailure(row, method, step);
        if (error.code === 'ACCOUNT_LOCKED') sessions.delete(token);
        throw error;
      }
      session.locked = false;
      session.lastActivity = now().getTime();
      recordSuccess(row, 'auth.unlocked', method);
      return sessionInfo(session, getUserRow(db, row.id, step));
    },

    endSessionsOf(userId) {
      for (const [token, session] of sessions) if (session.userId === userId) sessions.delete(token);
    },
  };
  return service;
}
