import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { IssuedCertificate } from '../../preload/contract';
import { dataOptions, keyStoreFlags, keyStoreOptions, withLocalStation } from './local-station';
import { parseAttributes, printResult, unwrap, UsageError } from './output';
import { resolvePolicy } from './policy-command';

export const issueUsage = `trustline issue --policy NAME (--csr FILE | --public-key FILE) (--device ID | --unmanaged)
                [--attr KEY=VALUE ...] [--out FILE] [--chain-out FILE] [--data DIR] [--pin-file FILE] [--json]`;

export async function issueCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      ...dataOptions,
      ...keyStoreFlags,
      policy: { type: 'string' },
      csr: { type: 'string' },
      'public-key': { type: 'string' },
      device: { type: 'string' },
      unmanaged: { type: 'boolean', default: false },
      attr: { type: 'string', multiple: true },
      out: { type: 'string' },
      'chain-out': { type: 'string' },
    },
  });
  if (values.policy === undefined) throw new UsageError('issue needs --policy');
  if ((values.csr === undefined) === (values['public-key'] === undefined)) {
    throw new UsageError('issue needs either --csr FILE or --public-key FILE');
  }
  // Saying which kind of certificate is wanted avoids an unmanaged one by a forgotten flag.
  if ((values.device === undefined) === !values.unmanaged) {
    throw new UsageError('issue needs either --device ID (a managed device) or --unmanaged');
  }
  const keyFile = values.csr ?? values['public-key'] ?? '';
  let keyText: string;
  try {
    keyText = readFileSync(keyFile, 'latin1');
  } catch {
    throw new UsageError(`cannot read ${keyFile}`);
  }
  // DER files go through as PEM, so the contract only ever carries text.
  const pemText = keyText.trimStart().startsWith('-----BEGIN')
    ? keyText
    : `-----BEGIN ${values.csr ? 'CERTIFICATE REQUEST' : 'PUBLIC KEY'}-----\n${Buffer.from(keyText, 'latin1').toString('base64')}\n-----END ${values.csr ? 'CERTIFICATE REQUEST' : 'PUBLIC KEY'}-----\n`;
  await withLocalStation(
    values.data,
    async (station, ctx) => {
      const policy = await resolvePolicy(station, ctx, values.policy ?? '');
      if (!policy) return;
      const issued = unwrap<IssuedCertificate>(
        await station.dispatch(
          'certificates.issue',
          {
            policyId: policy.id,
            ...(values.csr ? { csrPem: pemText } : { publicKeyPem: pemText }),
            ...(values.device === undefined ? {} : { deviceId: values.device }),
            attributes: parseAttributes(values.attr ?? []),
          },
          ctx,
        ),
      );
      if (!issued) return;
      if (values.out) writeFileSync(values.out, issued.pem);
      if (values['chain-out']) writeFileSync(values['chain-out'], issued.chainPem);
      const human = values.out
        ? `Issued ${issued.subject}, serial ${issued.serialNumber}, until ${issued.notAfter}: ${values.out}`
        : issued.pem;
      printResult(values.json, issued, human);
    },
    { keyStore: keyStoreOptions(values['pin-file']) },
  );
}
