import { parseArgs } from 'node:util';
import type { DeviceGroup } from '../../preload/contract';
import { dataOptions, withLocalStation } from './local-station';
import { printTable, unwrap, UsageError } from './output';

export const groupsUsage = `trustline groups list [--data DIR] [--json]
trustline groups add --name NAME [--description TEXT] [--data DIR] [--json]`;

export async function groupsCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      ...dataOptions,
      name: { type: 'string' },
      description: { type: 'string' },
    },
  });
  await withLocalStation(values.data, async (station, ctx) => {
    if (sub === 'list') {
      const groups = unwrap<DeviceGroup[]>(await station.dispatch('deviceGroups.list', {}, ctx));
      if (!groups) return;
      if (values.json) process.stdout.write(`${JSON.stringify(groups, null, 2)}\n`);
      else
        printTable(
          ['ID', 'NAME', 'DEVICES'],
          groups.map((g) => [g.id, g.name, String(g.deviceCount)]),
        );
    } else if (sub === 'add') {
      if (values.name === undefined) throw new UsageError('groups add needs --name');
      const group = unwrap<DeviceGroup>(
        await station.dispatch(
          'deviceGroups.create',
          { name: values.name, description: values.description ?? '' },
          ctx,
        ),
      );
      if (!group) return;
      process.stdout.write(
        values.json ? `${JSON.stringify(group, null, 2)}\n` : `Created device group ${group.name} (${group.id})\n`,
      );
    } else {
      throw new UsageError(`unknown groups command "${sub ?? ''}"`);
    }
  });
}
