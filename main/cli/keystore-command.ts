import { parseArgs } from 'node:util';
import type { KeyStoreStatus } from '../../preload/contract';
import { dataOptions, keyStoreFlags, keyStoreOptions, withLocalStation } from './local-station';
import { printResult, unwrap, UsageError } from './output';

export const keystoreUsage = `trustline keystore status [--data DIR] [--json]
trustline keystore unlock [--pin-file FILE] [--data DIR] [--json]   (creates the station's token on first use)
  (an external HSM: set TRUSTLINE_PKCS11_MODULE=/path/to/module.so and TRUSTLINE_PKCS11_TOKEN=LABEL)`;

function describe(status: KeyStoreStatus): string {
  const lines = [`Key store: ${status.description}`, `  state:  ${status.unlocked ? 'unlocked' : 'locked'}`];
  if (status.modulePath) lines.push(`  module: ${status.modulePath}`);
  if (status.notForProduction) lines.push('  WARNING: software key store — not for production');
  if (status.soPin) {
    lines.push(`  Created the token. Its security officer PIN is ${status.soPin}`);
    lines.push('  Keep it safe now: the station does not store it, and it is the only way to reset the user PIN.');
  }
  return lines.join('\n');
}

export async function keystoreCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({ args: rest, strict: true, options: { ...dataOptions, ...keyStoreFlags } });
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
