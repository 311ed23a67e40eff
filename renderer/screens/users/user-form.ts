import type { CallInput, User } from '../../../preload/contract';
import {
  checkBadge,
  checkName,
  checkPassword,
  checkPin,
  checkUsername,
  onlyProblems,
  type Problems,
} from './form-checks';

export interface NewUserForm {
  username: string;
  displayName: string;
  roleIds: string[];
  password: string;
  pin: string;
  badge: string;
}

export const emptyNewUserForm: NewUserForm = {
  username: '',
  displayName: '',
  roleIds: [],
  password: '',
  pin: '',
  badge: '',
};

export type NewUserField = keyof NewUserForm | 'credentials';

export function checkNewUser(form: NewUserForm): Problems<NewUserField> {
  const anyCredential = form.password !== '' || form.pin !== '' || form.badge.trim() !== '';
  return onlyProblems<NewUserField>({
    username: checkUsername(form.username),
    displayName: checkName(form.displayName),
    roleIds: form.roleIds.length === 0 ? 'roles' : undefined,
    password: checkPassword(form.password),
    pin: checkPin(form.pin),
    badge: checkBadge(form.badge),
    credentials: anyCredential ? undefined : 'credential',
  });
}

export function toCreateUserInput(form: NewUserForm): CallInput<'users.create'> {
  return {
    username: form.username.trim(),
    displayName: form.displayName.trim(),
    roleIds: form.roleIds,
    ...(form.password ? { password: form.password } : {}),
    ...(form.pin ? { pin: form.pin } : {}),
    ...(form.badge.trim() ? { badge: form.badge.trim() } : {}),
  };
}

/** What to do with a PIN or badge the user may already have. */
export type CredentialAction = 'keep' | 'replace' | 'remove';

export interface EditUserForm {
  displayName: string;
  roleIds: string[];
  password: string;
  pinAction: CredentialAction;
  pin: string;
  badgeAction: CredentialAction;
  badge: string;
  disabled: boolean;
}

export function editUserForm(user: User): EditUserForm {
  return {
    displayName: user.displayName,
    roleIds: user.roleIds,
    password: '',
    pinAction: 'keep',
    pin: '',
    badgeAction: 'keep',
    badge: '',
    disabled: user.disabled,
  };
}

export type EditUserField = 'displayName' | 'roleIds' | 'password' | 'pin' | 'badge' | 'credentials';

/** Whether the person could still sign in after this edit: a person without any credential could not. */
function keepsACredential(user: User, form: EditUserForm): boolean {
  const password = user.hasPassword || form.password !== '';
  const pin = form.pinAction === 'replace' || (form.pinAction === 'keep' && user.hasPin);
  const badge = form.badgeAction === 'replace' || (form.badgeAction === 'keep' && user.hasBadge);
  return password || pin || badge;
}

export function checkEditUser(user: User, form: EditUserForm): Problems<EditUserField> {
  if (user.kind === 'service') return onlyProblems<EditUserField>({ displayName: checkName(form.displayName) });
  return onlyProblems<EditUserField>({
    displayName: checkName(form.displayName),
    roleIds: form.roleIds.length === 0 ? 'roles' : undefined,
    password: checkPassword(form.password),
    pin: form.pinAction !== 'replace' ? undefined : form.pin === '' ? 'required' : checkPin(form.pin),
    badge: form.badgeAction !== 'replace' ? undefined : form.badge.trim() === '' ? 'required' : checkBadge(form.badge),
    credentials: keepsACredential(user, form) ? undefined : 'credential',
  });
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((item) => b.includes(item));

/** Only what changed goes to the station, so the audit entry says what the administrator did. */
export function toUpdateUserInput(user: User, form: EditUserForm): CallInput<'users.update'> {
  const displayName = form.displayName.trim();
  const pin = form.pinAction === 'replace' ? form.pin : form.pinAction === 'remove' && user.hasPin ? null : undefined;
  const badge =
    form.badgeAction === 'replace'
      ? form.badge.trim()
      : form.badgeAction === 'remove' && user.hasBadge
        ? null
        : undefined;
  return {
    id: user.id,
    ...(displayName !== user.displayName ? { displayName } : {}),
    ...(user.kind === 'person' && !sameSet(form.roleIds, user.roleIds) ? { roleIds: form.roleIds } : {}),
    ...(form.password ? { password: form.password } : {}),
    ...(pin !== undefined ? { pin } : {}),
    ...(badge !== undefined ? { badge } : {}),
    ...(form.disabled !== user.disabled ? { disabled: form.disabled } : {}),
  };
}

/** True when the update would only name the user: nothing to send. */
export const changesNothing = (input: CallInput<'users.update'>) => Object.keys(input).length === 1;
