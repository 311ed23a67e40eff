import { parseArgs } from 'node:util';
import type { CreateRecipeInput, OperatorAttribute, Recipe } from '../../preload/contract';
import type { CallContext } from '../core/api/call-context';
import type { Station } from '../core/station';
import { resolveGroupId } from './devices-command';
import { dataOptions, withLocalStation } from './local-station';
import { resolveNamed, printList, printResult, unwrap, UsageError } from './output';
import { resolvePolicy } from './policy-command';
import { positiveInteger } from './sim-command';

export const recipeUsage = `trustline recipe list [--json]
trustline recipe show --name NAME [--json]
trustline recipe create --name NAME --policy POLICY (--group GROUP | --unmanaged) --port PATH [--port PATH …]
    [--key-generation device-csr|station-generated] [--key-type EC-P256|EC-P384|Ed25519] [--driver trustline|nrf91-at]
    [--baud N] [--ask KEY:LABEL[:PATTERN] …] [--no-lock] [--description TEXT] [--json]
  (--port may also be a comma-separated list; --ask makes the line wait for a scanned label per device)`;

export async function resolveRecipe(station: Station, ctx: CallContext, given: string): Promise<Recipe | undefined> {
  return resolveNamed<Recipe>(
    await station.dispatch('recipes.list', {}, ctx),
    given,
    'recipe',
    'trustline recipe list',
  );
}

/** `KEY:LABEL[:PATTERN]`; the pattern may itself contain ":". */
function parseAsk(spec: string): OperatorAttribute {
  const [key, label, ...pattern] = spec.split(':');
  if (!key || !label) throw new UsageError(`--ask needs KEY:LABEL[:PATTERN], got "${spec}"`);
  return { key, label, ...(pattern.length > 0 ? { pattern: pattern.join(':') } : {}) };
}

function describeRecipe(r: Recipe): string {
  return [
    `${r.name} ${r.id}`,
    `  ports:        ${r.ports.join(', ')}`,
    `  driver:       ${r.driver} at ${r.baudRate} baud`,
    `  keys:         ${r.keyType}, ${r.keyGeneration}`,
    `  devices:      ${r.groupId === null ? 'unmanaged (no device records)' : `group ${r.groupId}`}`,
    `  attributes:   ${r.deviceAttributes.map((a) => `${a.key}<-${a.from}`).join(', ') || '-'}`,
    `  scanned:      ${r.operatorAttributes.map((a) => `${a.key} (${a.label})`).join(', ') || '-'}`,
    `  lock on PASS: ${r.lockAfterPass ? 'yes' : 'no'}`,
  ].join('\n');
}

export async function recipeCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      ...dataOptions,
      name: { type: 'string' },
      description: { type: 'string' },
      policy: { type: 'string' },
      group: { type: 'string' },
      unmanaged: { type: 'boolean', default: false },
      port: { type: 'string', multiple: true },
      'key-generation': { type: 'string' },
      'key-type': { type: 'string' },
      driver: { type: 'string' },
      baud: { type: 'string' },
      ask: { type: 'string', multiple: true },
      'no-lock': { type: 'boolean', default: false },
    },
  });
  await withLocalStation(values.data, async (station, ctx) => {
    switch (sub) {
      case 'list': {
        const recipes = unwrap<Recipe[]>(await station.dispatch('recipes.list', {}, ctx));
        if (recipes) {
          printList(
            values.json,
            recipes,
            'No recipes yet: trustline recipe create …',
            ['NAME', 'PORTS', 'DRIVER', 'KEYS', 'LOCK'],
            (r) => [r.name, String(r.ports.length), r.driver, r.keyGeneration, r.lockAfterPass ? 'yes' : 'no'],
          );
        }
        return;
      }
      case 'show': {
        if (!values.name) throw new UsageError('recipe show needs --name');
        const recipe = await resolveRecipe(station, ctx, values.name);
        if (recipe) printResult(values.json, recipe, describeRecipe(recipe));
        return;
      }
      case 'create': {
        if (!values.name || !values.policy) throw new UsageError('recipe create needs --name and --policy');
        if (values.unmanaged === (values.group !== undefined)) {
          throw new UsageError('recipe create needs either --group GROUP or --unmanaged');
        }
        const ports = (values.port ?? []).flatMap((p) => p.split(',')).filter((p) => p.trim() !== '');
        if (ports.length === 0) throw new UsageError('recipe create needs at least one --port');
        const policy = await resolvePolicy(station, ctx, values.policy);
        if (!policy) return;
        const groupId = values.group === undefined ? null : await resolveGroupId(station, ctx, values.group);
        if (groupId === undefined) return;
        const input: CreateRecipeInput = {
          name: values.name,
          ...(values.description === undefined ? {} : { description: values.description }),
          groupId,
          policyId: policy.id,
          ports,
          lockAfterPass: !values['no-lock'],
          operatorAttributes: (values.ask ?? []).map(parseAsk),
          ...(values['key-generation'] === undefined
            ? {}
            : { keyGeneration: values['key-generation'] as CreateRecipeInput['keyGeneration'] }),
          ...(values['key-type'] === undefined ? {} : { keyType: values['key-type'] as CreateRecipeInput['keyType'] }),
          ...(values.driver === undefined ? {} : { driver: values.driver }),
          ...(values.baud === undefined ? {} : { baudRate: positiveInteger('--baud', values.baud) }),
        };
        // The core validates the enums: a wrong --key-type comes back as INVALID_INPUT naming the field.
        const recipe = unwrap<Recipe>(await station.dispatch('recipes.create', input, ctx));
        if (recipe) printResult(values.json, recipe, describeRecipe(recipe));
        return;
      }
      default:
        throw new UsageError(`unknown recipe command "${sub ?? ''}"`);
    }
  });
}
