import type { z } from 'zod';
import type { CallAccess } from './permissions';

export interface CallSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I;
  readonly output: O;
  readonly permission: CallAccess;
  /** One line for the README's and the error messages' benefit. */
  readonly summary: string;
}

export interface EventSpec<P extends z.ZodType = z.ZodType> {
  readonly payload: P;
  readonly summary: string;
}

export const defineCall = <I extends z.ZodType, O extends z.ZodType>(spec: CallSpec<I, O>): CallSpec<I, O> => spec;
export const defineEvent = <P extends z.ZodType>(spec: EventSpec<P>): EventSpec<P> => spec;
