import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Ca, caKeyAlgorithms } from '../../preload/contract';
import type { CallContext } from '../core/api/call-context';
import type { Station } from '../core/station';
import { dataOptions, keyStoreFlags, keyStoreOptions, withLocalStation } from './local-station';
import { resolveNamed, printList, printResult, unwrap, UsageError } from './output';

export const caUsage = `trustline ca list [--json]
trustline ca create-root --name NAME --cn CN [--o ORG] [--c CC] [--algorithm ${caKeyAlgorithms.join('|')}] [--days N] [--path-length N]
trustline ca create-issuing --name NAME --cn CN [--o ORG] [--vid HEX4] [--algorithm …] [--sign-with CA] [--days N] [--csr-out FILE]
trustline ca import --name CA --cert FILE          (the signed certificate of an issuing CA, plus intermediates)
trustline ca import --trust-anchor --name NAME --cert FILE
trustline ca adopt --name NAME --key LABEL|ID --cert FILE
trustline ca export --name CA --out FILE [--csr]
  (each takes [--data DIR] [--pin-file FILE] [--json]; the PIN may also come from $TRUSTLINE_HSM_PIN)`;

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read the ${what} file ${file}`);
  }
}

/** CAs are known to people by name; scripts may pass the ID. */
export async function resolveCa(station: Station, ctx: CallContext, given: string): Promise<Ca | undefined> {
  return resolveNamed<Ca>(await station.dispatch('cas.list', {}, ctx), given, 'CA', 'trustline ca list');
}

function describeCa(ca: Ca): string {
  const lines = [`${ca.name} (${ca.kind}, ${ca.status}) ${ca.id}`];
  ca.chain.forEach((cert, depth) => lines.push(`${'  '.repeat(depth + 1)}${cert.subject}  until ${cert.notAfter}`));
  return lines.join('\n');
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} needs a whole number, got "${value}"`);
  return n;
}

export async function caCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      ...dataOptions,
      ...keyStoreFlags,
      name: { type: 'string' },
      cn: { type: 'string' },
      o: { type: 'string' },
      ou: { type: 'string' },
      c: { type: 'string' },
      vid: { type: 'string' },
      algorithm: { type: 'string' },
      days: { type: 'string' },
      'path-length': { type: 'string' },
      'sign-with': { type: 'string' },
      'csr-out': { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      out: { type: 'string' },
      csr: { type: 'boolean', default: false },
      'trust-anchor': { type: 'boolean', default: false },
    },
  });
  const need = (value: string | undefined, flag: string): string => {
    if (value === undefined) throw new UsageError(`ca ${sub ?? ''} needs --${flag}`);
    return value;
  };
  const subject = () => ({
    commonName: need(values.cn, 'cn'),
    ...(values.o === undefined ? {} : { organization: values.o }),
    ...(values.ou === undefined ? {} : { organizationalUnit: values.ou }),
    ...(values.c === undefined ? {} : { country: values.c }),
    ...(values.vid === undefined ? {} : { matterVid: values.vid }),
  });
  const days = positiveInt(values.days, '--days');
  await withLocalStation(
    values.data,
    async (station, ctx) => {
      switch (sub) {
        case 'list': {
          const cas = unwrap<Ca[]>(await station.dispatch('cas.list', {}, ctx));
          if (cas) {
            printList(
              values.json,
              cas,
              'No CAs yet: trustline ca create-root …',
              ['NAME', 'KIND', 'STATUS', 'KEY', 'SUBJECT'],
              (c) => [c.name, c.kind, c.status, c.keyAlgorithm ?? '-', c.subject],
            );
          }
          return;
        }
        case 'create-root': {
          const ca = unwrap<Ca>(
            await station.dispatch(
              'cas.createRoot',
              {
                name: need(values.name, 'name'),
                subject: subject(),
                ...(values.algorithm === undefined ? {} : { algorithm: values.algorithm }),
                ...(days === undefined ? {} : { validityDays: days }),
                ...(values['path-length'] === undefined
                  ? {}
                  : { pathLength: positiveInt(values['path-length'], '--path-length') }),
              },
              ctx,
            ),
          );
          if (ca) printResult(values.json, ca, `Created root CA\n${describeCa(ca)}`);
          return;
        }
        case 'create-issuing': {
          const parent =
            values['sign-with'] === undefined ? undefined : await resolveCa(station, ctx, values['sign-with']);
          const result = unwrap<{ ca: Ca; csrPem: string }>(
            await station.dispatch(
              'cas.createIssuing',
              {
                name: need(values.name, 'name'),
                subject: subject(),
                ...(values.algorithm === undefined ? {} : { algorithm: values.algorithm }),
                ...(days === undefined ? {} : { validityDays: days }),
                ...(parent ? { signWithCaId: parent.id } : {}),
              },
              ctx,
            ),
          );
          if (!result) return;
          if (values['csr-out']) writeFileSync(values['csr-out'], result.csrPem);
          const next =
            result.ca.status === 'ready'
              ? ''
              : values['csr-out']
                ? `\nCSR written to ${values['csr-out']}: have it signed, then trustline ca import --name ${result.ca.name} --cert FILE`
                : `\n${result.csrPem}`;
          printResult(values.json, result, `Created issuing CA\n${describeCa(result.ca)}${next}`);
          return;
        }
        case 'import': {
          const pem = readText(need(values.cert, 'cert'), 'certificate');
          const ca = values['trust-anchor']
            ? unwrap<Ca>(
                await station.dispatch(
                  'cas.importTrustAnchor',
                  { name: need(values.name, 'name'), certificatePem: pem },
                  ctx,
                ),
              )
            : await (async () => {
                const target = await resolveCa(station, ctx, need(values.name, 'name'));
                if (!target) return undefined;
                return unwrap<Ca>(
                  await station.dispatch('cas.importCertificate', { caId: target.id, certificatePem: pem }, ctx),
                );
              })();
          if (ca) printResult(values.json, ca, `Imported\n${describeCa(ca)}`);
          return;
        }
        case 'adopt': {
          const pem = readText(need(values.cert, 'cert'), 'certificate');
          const ca = unwrap<Ca>(
            await station.dispatch(
              'cas.adoptKey',
              { name: need(values.name, 'name'), key: need(values.key, 'key'), certificatePem: pem },
              ctx,
            ),
          );
          if (ca) printResult(values.json, ca, `Adopted\n${describeCa(ca)}`);
          return;
        }
        case 'export': {
          const ca = await resolveCa(station, ctx, need(values.name, 'name'));
          if (!ca) return;
          const out = need(values.out, 'out');
          const result = unwrap<{ pem: string }>(
            await station.dispatch(values.csr ? 'cas.exportCsr' : 'cas.exportCertificate', { id: ca.id }, ctx),
          );
          if (!result) return;
          writeFileSync(out, result.pem);
          printResult(
            values.json,
            { name: ca.name, file: out },
            `Wrote ${values.csr ? 'the CSR' : 'the certificate'} of ${ca.name} to ${out}`,
          );
          return;
        }
        default:
          throw new UsageError(`unknown ca command "${sub ?? ''}"`);
      }
    },
    { keyStore: keyStoreOptions(values['pin-file']) },
  );
}
