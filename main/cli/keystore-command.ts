import { parseArgs } from 'node:util';
import type { KeyStoreStatus } from '../../preload/contract';
import { dataOptions, keyStoreFlags, keyStoreOptions, withLocalStation } from './local-station';
import { listKeyStoreSlots } from '../core/keys/key-store-slots';
import { printList, printResult, unwrap, UsageError } from './output';

export const keystoreUsage = `trustline keystore status [--data DIR] [--json]
trustline keystore unlock [--pin-file FILE] [--data DIR] [--json]   (creates the station's token on first use)
trustline keystore slots --module PATH [--json]                    (the slots and tokens of a PKCS#11 module)
  (an external HSM: set TRUSTLINE_PKCS11_MODULE=/path/to/module.so and TRUSTLINE_PKCS11_TOKEN=LABEL)`;

function describe(status: KeyStoreStatus): string {
  const lines = [`Key store: ${status.description}`, `  state:  ${status.unlocked ? 'unlocked' : 'locked'}`];
  if (status.modulePath) lines.push(`  module: ${status.modulePath}`);
  if (status.notForProduction) lines.push('  WARNING: software key store — not for production');

  return lines.join('\n');
}

export async function keystoreCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: { ...dataOptions, ...keyStoreFlags, module: { type: 'string' } },
  });
  if (sub === 'slots') {
    // A module's slots say nothing about a station: no data folder, no PIN.
    if (values.module === undefined) throw new UsageError('keystore slots needs --module PATH');
    const slots = await listKeyStoreSlots(values.module);
    printList(
      values.json,
      slots,
      `${values.module} offers no slots`,
      ['SLOT', 'TOKEN', 'MODEL', 'SERIAL', 'DESCRIPTION'],
      (s) => [
        s.slotId,
        s.token ? (s.token.initialized ? s.token.label : '(not initialised)') : '(no token)',
        s.token?.model ?? '',
        s.token?.serial ?? '',
        s.description,
      ],
    );
    return;
  }
  const options = keyStoreOptions(values['pin-file']);
  await withLocalStation(
    values.data,
    async (station, ctx) => {
      if (sub === 'status') {
        const status = unwrap<KeyStoreStatus>(await station.dispatch('keyStore.status', {}, ctx));
        if (status) printResult(values.json, status, describe(status));
      } else if (sub === 'unlock') {
        if (options.pin === undefined)
          throw new UsageError('keystore unlock needs --pin-file FILE or $TRUSTLINE_HSM_PIN');
        const status = unwrap<KeyStoreStatus>(await station.dispatch('keyStore.unlock', { pin: options.pin }, ctx));
        if (status) printResult(values.json, status, describe(status));
      } else {
        throw new UsageError(`unknown keystore command "${sub ?? ''}"`);
      }
    },
    { keyStore: options },
  );
}
