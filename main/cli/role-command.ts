import { parseArgs } from 'node:util';
import { permissions, type Role } from '../../preload/contract';
import type { CallContext } from '../core/api/call-context';
import type { Station } from '../core/station';
import { dataOptions, withLocalStation } from './local-station';
import { printList, printResult, resolveNamed, unwrap, UsageError } from './output';

/** The permissions a few to a line, so the usage stays readable in a terminal. */
function wrap(items: readonly string[], perLine: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
  return lines;
}

export const roleUsage = `trustline role list [--json]
trustline role create --name NAME --permissions PERM[,PERM…] [--description TEXT] [--json]
trustline role delete --name NAME [--json]
  (PERM is one of: ${wrap(permissions, 6).join(',\n   ')})`;

/** `a,b` (or the flag repeated): the core checks each name against the contract's permissions. */
export function splitList(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export async function resolveRole(station: Station, ctx: CallContext, given: string): Promise<Role | undefined> {
  return resolveNamed<Role>(await station.dispatch('roles.list', {}, ctx), given, 'role', 'trustline role list');
}

/**
 * Role names (or IDs) to IDs, all looked up in one list call. An unknown name is a usage error
 * before anything is sent, so nothing is half-created.
 */
export async function resolveRoleIds(
  station: Station,
  ctx: CallContext,
  given: string[],
): Promise<string[] | undefined> {
  const listed = await station.dispatch('roles.list', {}, ctx);
  const ids: string[] = [];
  for (const name of given) {
    const role = resolveNamed<Role>(listed, name, 'role', 'trustline role list');
    if (!role) return undefined;
    ids.push(role.id);
  }
  return ids;
}

function describeRole(r: Role): string {
  return [
    `${r.name} ${r.id}${r.builtIn ? ' (built in)' : ''}`,
    ...(r.description ? [`  ${r.description}`] : []),
    `  permissions: ${r.permissions.join(', ')}`,
    `  users:       ${r.userCount}`,
  ].join('\n');
}

export async function roleCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      ...dataOptions,
      name: { type: 'string' },
      description: { type: 'string' },
      permissions: { type: 'string', multiple: true },
    },
  });
  if (sub !== 'list' && sub !== 'create' && sub !== 'delete') {
    throw new UsageError(`unknown role command "${sub ?? ''}"`);
  }
  if (sub !== 'list' && !values.name) throw new UsageError(`role ${sub} needs --name`);
  const granted = splitList(values.permissions);
  if (sub === 'create' && granted.length === 0) throw new UsageError('role create needs --permissions PERM[,PERM…]');
  await withLocalStation(values.data, async (station, ctx) => {
    switch (sub) {
      case 'list': {
        const roles = unwrap<Role[]>(await station.dispatch('roles.list', {}, ctx));
        if (roles) {
          printList(values.json, roles, 'No roles.', ['NAME', 'BUILT-IN', 'USERS', 'PERMISSIONS'], (r) => [
            r.name,
            r.builtIn ? 'yes' : 'no',
            String(r.userCount),
            r.permissions.join(','),
          ]);
        }
        return;
      }
      case 'create': {
        const role = unwrap<Role>(
          await station.dispatch(
            'roles.create',
            {
              name: values.name,
              permissions: granted,
              ...(values.description === undefined ? {} : { description: values.description }),
            },
            ctx,
          ),
        );
        if (role) printResult(values.json, role, `Created role ${describeRole(role)}`);
        return;
      }
      case 'delete': {
        const role = await resolveRole(station, ctx, values.name ?? '');
        if (!role) return;
        // Built-in roles and roles someone holds are refused by the core (ROLE_IN_USE and the like).
        const deleted = unwrap<{ id: string }>(await station.dispatch('roles.delete', { id: role.id }, ctx));
        if (deleted) printResult(values.json, { id: deleted.id, name: role.name }, `Deleted role ${role.name}`);
        return;
      }
    }
  });
}
