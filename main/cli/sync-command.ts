import os from 'node:os';
import { parseArgs } from 'node:util';
import type { SyncStatus } from '../../preload/contract';
import { dataOptions, withLocalStation } from './local-station';
import { printResult, unwrap, UsageError } from './output';
import { secretFromFileOrEnv } from './password-input';

export const syncUsage = `trustline sync enrol --server URL [--token-file FILE] [--name NAME] [--json]
  (the one-time enrolment token from the central server: --token-file (first line) or $TRUSTLINE_ENROLMENT_TOKEN)
trustline sync status [--json]
trustline sync now [--json]
  (pushes every queued record and pulls the configuration; exit code 1 when the server could not be reached)`;

const enrolmentTokenEnv = 'TRUSTLINE_ENROLMENT_TOKEN';

function describeStatus(status: SyncStatus): string {
  if (status.connection === 'not-enrolled') {
    return `Not enrolled with a central server; ${status.queueLength} records queued for when it is.`;
  }
  const lines = [
    `Server:       ${status.serverUrl ?? '-'}`,
    `Station:      ${status.stationName ?? '-'} (${status.stationId ?? '-'})`,
    `Connection:   ${status.connection}`,
    `Queued:       ${status.queueLength} records`,
    `Last sync:    ${status.lastSuccessAt ?? 'never'}`,
    `Last attempt: ${status.lastAttemptAt ?? 'never'}`,
  ];
  if (status.lastError) lines.push(`Last error:   ${status.lastError.code}: ${status.lastError.message}`);
  for (const warning of status.configWarnings) lines.push(`Warning:      ${warning}`);
  return lines.join('\n');
}

export async function syncCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      ...dataOptions,
      server: { type: 'string' },
      'token-file': { type: 'string' },
      name: { type: 'string' },
    },
  });
  switch (sub) {
    case 'enrol': {
      if (!values.server) throw new UsageError('sync enrol needs --server URL');
      const enrolmentToken = secretFromFileOrEnv('--token-file', values['token-file'], enrolmentTokenEnv);
      if (!enrolmentToken) {
        throw new UsageError(`sync enrol needs the enrolment token: --token-file FILE or $${enrolmentTokenEnv}`);
      }
      await withLocalStation(values.data, async (station, ctx) => {
        const input = { serverUrl: values.server ?? '', enrolmentToken, stationName: values.name ?? os.hostname() };
        const status = unwrap<SyncStatus>(await station.dispatch('sync.enrol', input, ctx));
        if (status)
          printResult(values.json, status, `Enrolled as station ${status.stationId} with ${status.serverUrl}`);
      });
      return;
    }
    case 'status':
      await withLocalStation(values.data, async (station, ctx) => {
        const status = unwrap<SyncStatus>(await station.dispatch('sync.status', {}, ctx));
        if (status) printResult(values.json, status, describeStatus(status));
      });
      return;
    case 'now':
      await withLocalStation(values.data, async (station, ctx) => {
        const status = unwrap<SyncStatus>(await station.dispatch('sync.now', {}, ctx));
        if (status) printResult(values.json, status, describeStatus(status));
      });
      return;
    default:
      throw new UsageError(`unknown sync command "${sub ?? ''}"`);
  }
}
