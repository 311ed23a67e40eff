import { parseArgs } from 'node:util';
import {
  type Device,
  type DeviceGroup,
  type DevicePage,
  deviceStatuses,
  lifecycleStates,
  parseAttributeFilter,
} from '../../preload/contract';
import type { CallContext } from '../core/api/call-context';
import type { Station } from '../core/station';
import { dataOptions, withLocalStation } from './local-station';
import { findByIdOrName, parseAttributes, printTable, unwrap, UsageError } from './output';

export const devicesUsage = `trustline devices list [--data DIR] [--group NAME|ID] [--state ${lifecycleStates.join('|')}]
                       [--status ${deviceStatuses.join('|')}] [--attr KEY=VALUE] [--search TEXT] [--limit N] [--json]
trustline devices add --name NAME --group NAME|ID [--description TEXT] [--attr KEY=VALUE ...] [--data DIR] [--json]`;

/** Accepts a group's ID or its name, as operators know groups by name. */
export async function resolveGroupId(station: Station, ctx: CallContext, given: string): Promise<string | undefined> {
  const groups = unwrap<DeviceGroup[]>(await station.dispatch('deviceGroups.list', {}, ctx));
  if (!groups) return undefined;
  const match = findByIdOrName(groups, given);
  // An unknown name goes through as is: the core answers GROUP_NOT_FOUND or INVALID_INPUT.
  return match?.id ?? given;
}

function printDevices(devices: Device[]): void {
  printTable(
    ['ID', 'NAME', 'GROUP', 'STATE', 'STATUS', 'ATTRIBUTES'],
    devices.map((d) => [
      d.id,
      d.name,
      d.groupName,
      d.state,
      d.status,
      Object.entries(d.attributes)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ]),
  );
}

export async function devicesCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      ...dataOptions,
      name: { type: 'string' },
      description: { type: 'string' },
      group: { type: 'string' },
      state: { type: 'string' },
      status: { type: 'string' },
      attr: { type: 'string', multiple: true },
      search: { type: 'string' },
      limit: { type: 'string' },
    },
  });
  if (sub !== 'list' && sub !== 'add') throw new UsageError(`unknown devices command "${sub ?? ''}"`);
  await withLocalStation(values.data, async (station, ctx) => {
    const groupId = values.group === undefined ? undefined : await resolveGroupId(station, ctx, values.group);
    if (values.group !== undefined && groupId === undefined) return;
    if (sub === 'list') {
      const attrText = values.attr?.[0];
      const attribute = attrText === undefined ? undefined : parseAttributeFilter(attrText);
      if (attrText !== undefined && !attribute) throw new UsageError(`--attr needs KEY=VALUE, got "${attrText}"`);
      const limit = values.limit === undefined ? undefined : Number(values.limit);
      const page = unwrap<DevicePage>(
        await station.dispatch(
          'devices.list',
          { groupId, state: values.state, status: values.status, attribute, search: values.search, limit },
          ctx,
        ),
      );
      if (!page) return;
      if (values.json) process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
      else {
        printDevices(page.items);
        process.stdout.write(`${page.items.length} of ${page.total} device(s)\n`);
      }
      return;
    }
    if (values.name === undefined || groupId === undefined)
      throw new UsageError('devices add needs --name and --group');
    const device = unwrap<Device>(
      await station.dispatch(
        'devices.register',
        {
          name: values.name,
          description: values.description ?? '',
          groupId,
          attributes: parseAttributes(values.attr ?? []),
        },
        ctx,
      ),
    );
    if (!device) return;
    if (values.json) process.stdout.write(`${JSON.stringify(device, null, 2)}\n`);
    else process.stdout.write(`Registered device ${device.name} (${device.id}) in ${device.groupName}\n`);
  });
}
