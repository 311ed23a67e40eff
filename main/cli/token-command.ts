import { parseArgs } from 'node:util';
import { type ApiToken, type CallOutput, userLimits } from '../../preload/contract';
import type { CallContext } from '../core/api/call-context';
import type { Station } from '../core/station';
import { dataOptions, withLocalStation } from './local-station';
import { printList, printResult, unwrap, UsageError } from './output';
import { positiveInteger } from './sim-command';
import { resolveUser } from './user-command';

export const tokenUsage = `trustline token create --name NAME [--expires-days DAYS] [--service-user USER] [--json]
  (prints the secret once on stdout: the station keeps only its hash; use it as TRUSTLINE_TOKEN)
trustline token list [--json]
trustline token revoke --id ID|NAME [--json]`;

type CreatedToken = CallOutput<'tokens.create'>;

function tokenState(t: ApiToken): string {
  if (t.revokedAt !== null) return `revoked ${t.revokedAt}`;
  if (t.expiresAt !== null && Date.parse(t.expiresAt) <= Date.now()) return `expired ${t.expiresAt}`;
  return 'active';
}

/** A token by ID, or by name when exactly one token carries it. */
async function resolveToken(station: Station, ctx: CallContext, given: string): Promise<ApiToken | undefined> {
  const tokens = unwrap<ApiToken[]>(await station.dispatch('tokens.list', {}, ctx));
  if (!tokens) return undefined;
  const byId = tokens.find((t) => t.id === given);
  if (byId) return byId;
  const named = tokens.filter((t) => t.name.toLowerCase() === given.toLowerCase());
  if (named.length === 1) return named[0];
  if (named.length > 1)
    throw new UsageError(`${named.length} tokens are named "${given}": give the ID (see trustline token list)`);
  throw new UsageError(`no token "${given}" (see trustline token list)`);
}

export async function tokenCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      ...dataOptions,
      name: { type: 'string' },
      id: { type: 'string' },
      'expires-days': { type: 'string' },
      'service-user': { type: 'string' },
    },
  });
  switch (sub) {
    case 'create': {
      if (!values.name) throw new UsageError('token create needs --name');
      const days =
        values['expires-days'] === undefined ? undefined : positiveInteger('--expires-days', values['expires-days']);
      if (days !== undefined && days > userLimits.tokenDaysMax) {
        throw new UsageError(`--expires-days must be at most ${userLimits.tokenDaysMax}`);
      }
      await withLocalStation(values.data, async (station, ctx) => {
        let serviceUserId: string | undefined;
        if (values['service-user'] !== undefined) {
          const user = await resolveUser(station, ctx, values['service-user']);
          if (!user) return;
          serviceUserId = user.id;
        }
        const created = unwrap<CreatedToken>(
          await station.dispatch(
            'tokens.create',
            {
              name: values.name,
              ...(days === undefined ? {} : { expiresInDays: days }),
              ...(serviceUserId === undefined ? {} : { serviceUserId }),
            },
            ctx,
          ),
        );
        if (!created) return;
        // Only the secret goes to stdout, so `TOKEN=$(trustline token create …)` captures just it.
        printResult(values.json, created, created.secret);
        const { token } = created;
        process.stderr.write(
          `Created API token ${token.name} (${token.id}) acting as ${token.username}, ` +
            `${token.expiresAt === null ? 'never expires' : `expires ${token.expiresAt}`}.\n` +
            'The secret is shown only this once: the station keeps only its hash. Store it now.\n',
        );
      });
      return;
    }
    case 'list':
      await withLocalStation(values.data, async (station, ctx) => {
        const tokens = unwrap<ApiToken[]>(await station.dispatch('tokens.list', {}, ctx));
        if (!tokens) return;
        printList(
          values.json,
          tokens,
          'No API tokens yet: trustline token create --name NAME',
          ['ID', 'NAME', 'PREFIX', 'USER', 'CREATED', 'EXPIRES', 'LAST USED', 'STATE'],
          (t) => [
            t.id,
            t.name,
            t.prefix,
            `${t.username}${t.userKind === 'service' ? ' (service)' : ''}`,
            t.createdAt,
            t.expiresAt ?? 'never',
            t.lastUsedAt ?? '-',
            tokenState(t),
          ],
        );
      });
      return;
    case 'revoke': {
      if (!values.id) throw new UsageError('token revoke needs --id ID (see trustline token list)');
      await withLocalStation(values.data, async (station, ctx) => {
        const token = await resolveToken(station, ctx, values.id ?? '');
        if (!token) return;
        const revoked = unwrap<ApiToken>(await station.dispatch('tokens.revoke', { id: token.id }, ctx));
        if (revoked) printResult(values.json, revoked, `Revoked API token ${revoked.name} (${revoked.id})`);
      });
      return;
    }
    default:
      throw new UsageError(`unknown token command "${sub ?? ''}"`);
  }
}
