import type { z } from 'zod';
import { issuesFromZod } from '../../../preload/contract';
import { StationError } from './station-error';

/** Validates untrusted input against a contract schema, or throws INVALID_INPUT listing every field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, step: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = issuesFromZod(parsed.error);
  const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ');
  throw new StationError('INVALID_INPUT', `Invalid input: ${summary}`, { step, issues });
}
