import {
  type CallName,
  type CallOutput,
  type CallParsedInput,
  calls,
  isCallName,
  type Result,
} from '../../../preload/contract';
import { parseInput } from '../errors/parse-input';
import { isStationError, StationError } from '../errors/station-error';
import type { CallContext } from './call-context';

export type Handlers = {
  [N in CallName]: (input: CallParsedInput<N>, ctx: CallContext) => CallOutput<N> | Promise<CallOutput<N>>;
};

export type Dispatch = (name: unknown, input: unknown, ctx: CallContext) => Promise<Result<unknown>>;

/**
 * The one door into the core for every transport: the name must be in the contract, the input
 * must parse, and the caller must hold the call's permission before a handler runs. A rejected
 * call never reaches a handler, so it changes nothing.
 */
export function createDispatcher(handlers: Handlers): Dispatch {
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
      if (!ctx.permissions.has(spec.permission)) {
        throw new StationError('PERMISSION_DENIED', `${ctx.actor} lacks the permission ${spec.permission}.`, {
          step: 'dispatch',
          params: { permission: spec.permission, call: name },
        });
      }
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
