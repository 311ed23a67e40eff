import { parseArgs } from 'node:util';
import type { Role, SignedIn, User } from '../../preload/contract';
import type { CallContext } from '../core/api/call-context';
import type { Station } from '../core/station';
import { dataOptions, withLocalStation } from './local-station';
import { printList, printResult, unwrap, UsageError } from './output';
import { readSecretFile, secretEnv, secretFromFileOrEnv } from './password-input';
import { resolveRoleIds, splitList } from './role-command';

export const userUsage = `trustline user setup-admin --username USER [--display-name NAME] [--password-file FILE] [--pin-file FILE] [--json]
  (only while the station has no user; the password and PIN come from the files' first line
   or from $${secretEnv.password} / $${secretEnv.pin}, never from an argument)
trustline user list [--json]
trustline user create --username USER --role ROLE[,ROLE…] [--display-name NAME]
    [--password-file FILE] [--pin-file FILE] [--badge-file FILE] [--json]
trustline user update --username USER [--role ROLE[,ROLE…]] [--display-name NAME] [--disable|--enable]
    [--password-file FILE] [--pin-file FILE] [--badge-file FILE] [--remove-pin] [--remove-badge] [--json]
  (create also takes $${secretEnv.password} / $${secretEnv.pin}; update changes credentials only from files)
trustline user clear-lockout --username USER [--json]
trustline user create-service --name NAME --permissions PERM[,PERM…] [--display-name NAME] [--json]
  (a service user holds only the permissions given; give it an API token with trustline token create --service-user)`;

/** A user by ID, or by username as people type it (usernames are stored lower-case). */
export async function resolveUser(station: Station, ctx: CallContext, given: string): Promise<User | undefined> {
  const users = unwrap<User[]>(await station.dispatch('users.list', {}, ctx));
  if (!users) return undefined;
  const found =
    users.find((u) => u.id === given) ?? users.find((u) => u.username.toLowerCase() === given.trim().toLowerCase());
  if (!found) throw new UsageError(`no user named "${given}" (see trustline user list)`);
  return found;
}

function credentials(u: User): string {
  return (
    [u.hasPassword ? 'password' : '', u.hasPin ? 'pin' : '', u.hasBadge ? 'badge' : ''].filter(Boolean).join(',') || '-'
  );
}

function status(u: User): string {
  if (u.disabled) return 'disabled';
  if (u.lockedUntil !== null && Date.parse(u.lockedUntil) > Date.now()) return `locked until ${u.lockedUntil}`;
  return 'active';
}

function describeUser(u: User, roleNames: Map<string, string>): string {
  return [
    `${u.username} ${u.id} (${u.kind})`,
    `  display name: ${u.displayName}`,
    ...(u.kind === 'person'
      ? [`  roles:        ${u.roleIds.map((id) => roleNames.get(id) ?? id).join(', ') || '-'}`]
      : [`  permissions:  ${u.permissions.join(', ') || '-'}`]),
    `  credentials:  ${credentials(u)}`,
    `  status:       ${status(u)}`,
  ].join('\n');
}

async function roleNamesOf(station: Station, ctx: CallContext): Promise<Map<string, string>> {
  const listed = await station.dispatch('roles.list', {}, ctx);
  // Without the names the IDs are shown; a failure here is not worth failing the command.
  return new Map(listed.ok ? (listed.value as Role[]).map((r) => [r.id, r.name]) : []);
}

export async function userCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      ...dataOptions,
      username: { type: 'string' },
      name: { type: 'string' },
      'display-name': { type: 'string' },
      role: { type: 'string', multiple: true },
      permissions: { type: 'string', multiple: true },
      'password-file': { type: 'string' },
      'pin-file': { type: 'string' },
      'badge-file': { type: 'string' },
      'remove-pin': { type: 'boolean', default: false },
      'remove-badge': { type: 'boolean', default: false },
      disable: { type: 'boolean', default: false },
      enable: { type: 'boolean', default: false },
    },
  });
  const commands = ['setup-admin', 'list', 'create', 'update', 'clear-lockout', 'create-service'];
  if (sub === undefined || !commands.includes(sub)) throw new UsageError(`unknown user command "${sub ?? ''}"`);
  const needsUsername = sub !== 'list' && sub !== 'create-service';
  if (needsUsername && !values.username) throw new UsageError(`user ${sub} needs --username`);
  const roles = splitList(values.role);

  switch (sub) {
    case 'setup-admin': {
      const password = secretFromFileOrEnv('--password-file', values['password-file'], secretEnv.password);
      if (password === undefined) {
        throw new UsageError(`user setup-admin needs a password: --password-file FILE or $${secretEnv.password}`);
      }
      const pin = secretFromFileOrEnv('--pin-file', values['pin-file'], secretEnv.pin);
      const input = {
        username: values.username,
        displayName: values['display-name'] ?? values.username,
        password,
        ...(pin === undefined ? {} : { pin }),
      };
      await withLocalStation(values.data, async (station, ctx) => {
        const signedIn = unwrap<SignedIn>(await station.dispatch('auth.setupFirstAdmin', input, ctx));
        if (!signedIn) return;
        // The session token is of no use to a one-shot command and is a secret: it is not printed.
        const { session } = signedIn;
        printResult(
          values.json,
          session,
          `Created the Solution administrator ${session.user.username} (${session.user.id}).\n` +
            'Sign in from now on: TRUSTLINE_USER and TRUSTLINE_PASSWORD, or an API token in TRUSTLINE_TOKEN (trustline token create).',
        );
      });
      return;
    }
    case 'list':
      await withLocalStation(values.data, async (station, ctx) => {
        const users = unwrap<User[]>(await station.dispatch('users.list', {}, ctx));
        if (!users) return;
        const roleNames = await roleNamesOf(station, ctx);
        printList(
          values.json,
          users,
          'No users yet: trustline user setup-admin …',
          ['USERNAME', 'DISPLAY NAME', 'KIND', 'ROLES / PERMISSIONS', 'CREDENTIALS', 'STATUS'],
          (u) => [
            u.username,
            u.displayName,
            u.kind,
            u.kind === 'person' ? u.roleIds.map((id) => roleNames.get(id) ?? id).join(',') : u.permissions.join(','),
            credentials(u),
            status(u),
          ],
        );
      });
      return;
    case 'create': {
      if (roles.length === 0) throw new UsageError('user create needs --role ROLE[,ROLE…] (see trustline role list)');
      const password = secretFromFileOrEnv('--password-file', values['password-file'], secretEnv.password);
      const pin = secretFromFileOrEnv('--pin-file', values['pin-file'], secretEnv.pin);
      const badge = secretFromFileOrEnv('--badge-file', values['badge-file']);
      await withLocalStation(values.data, async (station, ctx) => {
        const roleIds = await resolveRoleIds(station, ctx, roles);
        if (!roleIds) return;
        const user = unwrap<User>(
          await station.dispatch(
            'users.create',
            {
              username: values.username,
              displayName: values['display-name'] ?? values.username,
              roleIds,
              ...(password === undefined ? {} : { password }),
              ...(pin === undefined ? {} : { pin }),
              ...(badge === undefined ? {} : { badge }),
            },
            ctx,
          ),
        );
        if (user) printResult(values.json, user, `Created ${describeUser(user, await roleNamesOf(station, ctx))}`);
      });
      return;
    }
    case 'update': {
      if (values.disable && values.enable) throw new UsageError('user update takes --disable or --enable, not both');
      if (values['remove-pin'] && values['pin-file'] !== undefined) {
        throw new UsageError('user update takes --pin-file or --remove-pin, not both');
      }
      if (values['remove-badge'] && values['badge-file'] !== undefined) {
        throw new UsageError('user update takes --badge-file or --remove-badge, not both');
      }
      // Files only: a $TRUSTLINE_NEW_PASSWORD left over from creating someone must not change this user.
      const password =
        values['password-file'] === undefined ? undefined : readSecretFile('--password-file', values['password-file']);
      const pin = values['remove-pin']
        ? null
        : values['pin-file'] === undefined
          ? undefined
          : readSecretFile('--pin-file', values['pin-file']);
      const badge = values['remove-badge']
        ? null
        : values['badge-file'] === undefined
          ? undefined
          : readSecretFile('--badge-file', values['badge-file']);
      const changes = {
        ...(values['display-name'] === undefined ? {} : { displayName: values['display-name'] }),
        ...(password === undefined ? {} : { password }),
        ...(pin === undefined ? {} : { pin }),
        ...(badge === undefined ? {} : { badge }),
        ...(values.disable ? { disabled: true } : values.enable ? { disabled: false } : {}),
      };
      if (Object.keys(changes).length === 0 && roles.length === 0) {
        throw new UsageError('user update needs something to change (see trustline help)');
      }
      await withLocalStation(values.data, async (station, ctx) => {
        const user = await resolveUser(station, ctx, values.username ?? '');
        if (!user) return;
        const roleIds = roles.length === 0 ? undefined : await resolveRoleIds(station, ctx, roles);
        if (roles.length > 0 && !roleIds) return;
        const updated = unwrap<User>(
          await station.dispatch(
            'users.update',
            { id: user.id, ...changes, ...(roleIds === undefined ? {} : { roleIds }) },
            ctx,
          ),
        );
        if (updated) {
          printResult(values.json, updated, `Updated ${describeUser(updated, await roleNamesOf(station, ctx))}`);
        }
      });
      return;
    }
    case 'clear-lockout':
      await withLocalStation(values.data, async (station, ctx) => {
        const user = await resolveUser(station, ctx, values.username ?? '');
        if (!user) return;
        const cleared = unwrap<User>(await station.dispatch('users.clearLockout', { id: user.id }, ctx));
        if (cleared) printResult(values.json, cleared, `${cleared.username} may sign in again (${status(cleared)})`);
      });
      return;
    case 'create-service': {
      if (!values.name) throw new UsageError('user create-service needs --name');
      const granted = splitList(values.permissions);
      if (granted.length === 0) throw new UsageError('user create-service needs --permissions PERM[,PERM…]');
      await withLocalStation(values.data, async (station, ctx) => {
        const user = unwrap<User>(
          await station.dispatch(
            'users.createService',
            { name: values.name, displayName: values['display-name'] ?? values.name, permissions: granted },
            ctx,
          ),
        );
        if (user) {
          printResult(
            values.json,
            user,
            `Created service user ${describeUser(user, new Map())}\n` +
              `Give it a token: trustline token create --name NAME --service-user ${user.username}`,
          );
        }
      });
      return;
    }
  }
}
