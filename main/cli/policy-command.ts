import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Policy, PolicyPreset } from '../../preload/contract';
import type { CallContext } from '../core/api/call-context';
import type { Station } from '../core/station';
import { resolveCa } from './ca-command';
import { dataOptions, withLocalStation } from './local-station';
import { resolveNamed, printList, printResult, printTable, unwrap, UsageError } from './output';

export const policyUsage = `trustline policy list [--json]
trustline policy presets [--json]
trustline policy show --name NAME [--json]
trustline policy create --preset NAME --name NAME --ca CA [--body FILE.json] [--json]
  (--body holds policy fields that override the preset's, e.g. {"validity":{"kind":"days","days":730}})`;

export async function resolvePolicy(station: Station, ctx: CallContext, given: string): Promise<Policy | undefined> {
  return resolveNamed<Policy>(
    await station.dispatch('policies.list', {}, ctx),
    given,
    'policy',
    'trustline policy list',
  );
}

function describePolicy(p: Policy): string {
  const subject = p.subject.map((f) => `${f.type}=${f.value}`).join(', ');
  const validity = p.validity.kind === 'days' ? `${p.validity.days} days` : `until ${p.validity.notAfter}`;
  return [
    `${p.name} (${p.profile}, ${p.usage}) ${p.id}`,
    `  issuing CA:  ${p.issuingCaName}`,
    `  key types:   ${p.allowedKeyTypes.join(', ')}; from ${p.keyGeneration.join(', ')}`,
    `  subject:     ${subject}`,
    `  SANs:        ${p.subjectAltNames.map((s) => (s.type === 'hardwareModuleName' ? `HMN ${s.hwType}/${s.serial}` : `${s.type}:${s.value}`)).join(', ') || '-'}`,
    `  key usage:   ${p.keyUsage.join(', ')}${p.keyUsageCritical ? ' (critical)' : ''}; EKU ${p.extendedKeyUsage.join(', ') || '-'}`,
    `  validity:    ${validity}`,
  ].join('\n');
}

function readBody(file: string | undefined): Record<string, unknown> {
  if (file === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${file} as JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${file} must hold a JSON object of policy fields`);
  }
  return parsed as Record<string, unknown>;
}

export async function policyCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      ...dataOptions,
      name: { type: 'string' },
      preset: { type: 'string' },
      ca: { type: 'string' },
      body: { type: 'string' },
    },
  });
  await withLocalStation(values.data, async (station, ctx) => {
    switch (sub) {
      case 'list': {
        const policies = unwrap<Policy[]>(await station.dispatch('policies.list', {}, ctx));
        if (policies) {
          printList(
            values.json,
            policies,
            'No policies yet: trustline policy create --preset …',
            ['NAME', 'PROFILE', 'USAGE', 'CA', 'KEY TYPES'],
            (p) => [p.name, p.profile, p.usage, p.issuingCaName, p.allowedKeyTypes.join(',')],
          );
        }
        return;
      }
      case 'presets': {
        const presets = unwrap<PolicyPreset[]>(await station.dispatch('policies.presets', {}, ctx));
        if (!presets) return;
        if (values.json) printResult(true, presets, '');
        else
          printTable(
            ['PRESET', 'TITLE', 'SUMMARY'],
            presets.map((p) => [p.name, p.title, p.summary]),
          );
        return;
      }
      case 'show': {
        if (values.name === undefined) throw new UsageError('policy show needs --name');
        const policy = await resolvePolicy(station, ctx, values.name);
        if (policy) printResult(values.json, policy, describePolicy(policy));
        return;
      }
      case 'create': {
        if (values.name === undefined || values.ca === undefined)
          throw new UsageError('policy create needs --name and --ca');
        const ca = await resolveCa(station, ctx, values.ca);
        if (!ca) return;
        const policy = unwrap<Policy>(
          await station.dispatch(
            'policies.create',
            {
              ...(values.preset === undefined ? {} : { preset: values.preset }),
              body: { ...readBody(values.body), name: values.name, issuingCaId: ca.id },
            },
            ctx,
          ),
        );
        if (policy) printResult(values.json, policy, `Created policy\n${describePolicy(policy)}`);
        return;
      }
      default:
        throw new UsageError(`unknown policy command "${sub ?? ''}"`);
    }
  });
}
