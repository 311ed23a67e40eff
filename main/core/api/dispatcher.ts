import {
  type CallName,
  type CallOutput,
  type CallParsedInput,
  calls,
  isCallName,
  type Permission,
  publicAccess,
  type Result,
} from '../../../preload/contract';
import { parseInput } from '../errors/parse-input';
import { isStationError, StationError } from '../errors/station-error';
import type { CallContext } from './call-context';

export type Handlers = {
  [N in CallName]: (input: CallParsedInput<N>, ctx: CallContext) => CallOutput<N> | Promise<CallOutput<N>>;
};

export type Dispatch = (name: unknown, input: unknown, ctx: CallContext) => Promise<Result<unknown>>;

export interface DispatcherOptions {
  /** A signed-in caller asked for a call their permissions do not allow: worth an audit entry. */
  onRefused?: (ctx: CallContext, call: CallName, permission: Permission) => void;
}

const refusalErrors = {
  'signed-out': [
    'UNAUTHENTICATED',
    'Sign in first (on the command line: set TRUSTLINE_TOKEN, or TRUSTLINE_USER and TRUSTLINE_PASSWORD).',
  ],
  locked: ['SESSION_LOCKED', 'The station is locked. Unlock it with your PIN or password.'],
  'setup-required': ['SETUP_REQUIRED', 'The station has no administrator yet. Create the first administrator.'],
} as const;

/**
 * The caller must be signed in, unlocked, and hold the permission; `onRefused` hears of a
 * signed-in caller who lacks it. For the dispatcher and for the bridge's file endpoints.
 */
export function assertAllowed(
  ctx: CallContext,
  permission: Permission,
  what: string,
  onRefused?: (permission: Permission) => void,
): void {
  if (ctx.refusal) {
    const [code, message] = refusalErrors[ctx.refusal];
    throw new StationError(code, message, { step: 'dispatch', params: { call: what } });
  }
  if (!ctx.permissions.has(permission)) {
    onRefused?.(permission);
    throw new StationError('PERMISSION_DENIED', `${ctx.actor} lacks the permission ${permission}.`, {
      step: 'dispatch',
      params: { permission, call: what },
    });
  }
  ctx.touch?.();
}

/** Public calls pass; the rest as assertAllowed says. */
function checkAccess(name: CallName, ctx: CallContext, options: DispatcherOptions): void {
  const permission = calls[name].permission;
  if (permission === publicAccess) return;
  assertAllowed(ctx, permission, name, (p) => options.onRefused?.(ctx, name, p));
}

/**
 * The one door into the core for every transport: the name must be in the contract, the input
 * must parse, and the caller must be signed in and hold the call's permission before a handler
 * runs (a few public calls, such as sign-in, check their session themselves). A rejected
 * call never reaches a handler, so it changes nothing.
 */
export function createDispatcher(handlers: Handlers, options: DispatcherOptions = {}): Dispatch {
  return async (name, input, ctx) => {
    try {
      if (!isCallName(name)) {
        const shown = typeof name === 'string' ? name.slice(0, 80) : typeof name;
        throw new StationError('UNKNOWN_CALL', `There is no call named "${shown}".`, {
          step: 'dispatch',
          params: { name: shown },
        });
      }
      const spec = calls[name];
      checkAccess(name, ctx, options);
      const parsed = parseInput(spec.input, input, name);
      const handler = handlers[name] as (input: unknown, ctx: CallContext) => unknown;
      const value: unknown = await handler(parsed, ctx);
      // A handler that breaks the contract is our bug; never let it reach the UI unchecked.
      const checked = spec.output.safeParse(value);
      if (!checked.success) {
        console.error(`handler ${name} returned a value outside its contract`, checked.error.issues);
        throw new StationError('INTERNAL', 'The station produced an invalid answer. See the station log.', {
          step: name,
        });
      }
      return { ok: true, value: checked.data };
    } catch (error) {
      if (isStationError(error)) return { ok: false, error: error.toShape() };
      console.error('unexpected error in call', error);
      return {
        ok: false,
        error: { code: 'INTERNAL', message: 'Unexpected station error. See the station log.', step: 'dispatch' },
      };
    }
  };
}
