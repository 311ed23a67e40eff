import { passwordSchema, pinSchema, usernameSchema, userLimits } from '../../../preload/contract';

export interface SetupValues {
  username: string;
  displayName: string;
  password: string;
  passwordConfirm: string;
  pin: string;
}

/** A translation key with its values, so this check stays free of React and i18next. */
export interface Problem {
  key: string;
  values?: Record<string, number>;
}

export type SetupProblems = Partial<Record<keyof SetupValues, Problem>>;

/** The first-run form's own checks, the contract's rules: nothing is sent while one fails. */
export function validateSetup(values: SetupValues): SetupProblems {
  const problems: SetupProblems = {};
  if (!usernameSchema.safeParse(values.username).success) problems.username = { key: 'auth.invalid.username' };
  if (!values.displayName.trim()) problems.displayName = { key: 'validation.required' };
  if (!passwordSchema.safeParse(values.password).success) {
    problems.password = { key: 'auth.invalid.passwordShort', values: { min: userLimits.passwordMin } };
  }
  if (values.passwordConfirm !== values.password) problems.passwordConfirm = { key: 'auth.invalid.passwordMismatch' };
  if (values.pin && !pinSchema.safeParse(values.pin).success) problems.pin = pinProblem();
  return problems;
}

export function pinProblem(): Problem {
  return { key: 'auth.invalid.pin', values: { min: userLimits.pinMin, max: userLimits.pinMax } };
}
