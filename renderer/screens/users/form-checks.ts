import { useTranslation } from 'react-i18next';
import { badgeSchema, limits, passwordSchema, pinSchema, usernameSchema, userLimits } from '../../../preload/contract';

/** Why a field was refused before anything was sent; each has its text under users.invalid. */
export type Problem =
  'required' | 'tooLong' | 'username' | 'roles' | 'credential' | 'password' | 'pin' | 'badge' | 'permissions' | 'days';

export type Problems<Field extends string> = Partial<Record<Field, Problem>>;

const problemParams: Partial<Record<Problem, Record<string, number>>> = {
  tooLong: { max: limits.nameMax },
  password: { min: userLimits.passwordMin },
  pin: { min: userLimits.pinMin, max: userLimits.pinMax },
  badge: { min: userLimits.badgeMin, max: userLimits.badgeMax },
  days: { max: userLimits.tokenDaysMax },
};

export function useProblemText(): (problem: Problem | undefined) => string | null {
  const { t } = useTranslation();
  return (problem) => (problem ? t(`users.invalid.${problem}`, problemParams[problem] ?? {}) : null);
}

export const hasProblems = (problems: Problems<string>) => Object.keys(problems).length > 0;

/** The same rules as the contract's schemas, so the form refuses exactly what the station would. */
export function checkName(value: string): Problem | undefined {
  const trimmed = value.trim();
  if (!trimmed) return 'required';
  if (trimmed.length > limits.nameMax) return 'tooLong';
  return undefined;
}

export function checkUsername(value: string): Problem | undefined {
  if (!value.trim()) return 'required';
  return usernameSchema.safeParse(value).success ? undefined : 'username';
}

/** Credentials are optional one by one: an empty field is "not given", not a problem. */
export function checkPassword(value: string): Problem | undefined {
  return value === '' || passwordSchema.safeParse(value).success ? undefined : 'password';
}

export function checkPin(value: string): Problem | undefined {
  return value === '' || pinSchema.safeParse(value).success ? undefined : 'pin';
}

export function checkBadge(value: string): Problem | undefined {
  return value.trim() === '' || badgeSchema.safeParse(value).success ? undefined : 'badge';
}

/** Drops the fields that passed, so "no problems" is an empty object. */
export function onlyProblems<Field extends string>(
  found: Partial<Record<Field, Problem | undefined>>,
): Problems<Field> {
  return Object.fromEntries(Object.entries(found).filter(([, problem]) => problem !== undefined)) as Problems<Field>;
}
