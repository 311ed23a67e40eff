// What the issuance and batch benches share: device CSRs, a SoftHSM2 CA with a tls-client
// policy, and the engine driven directly with a number of requests in flight.
import { generateKeyPairSync, sign } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fullAccessContext } from '../main/core/api/call-context';
import { bitString, sequence, smallInteger, tlv } from '../main/core/pki/der';
import { encodeName } from '../main/core/pki/name';
import { algorithmIdentifier } from '../main/core/pki/signature-algorithms';
import { openStation, type Station } from '../main/core/station';

export const benchContext = fullAccessContext('bench');
const ctx = benchContext;

/** Distinct device CSRs, made the way a device makes them (its own key, ECDSA-SHA256). */
export function deviceCsrs(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const info = sequence(
      smallInteger(0),
      encodeName([{ type: 'CN', value: `device-${i}` }]),
      publicKey.export({ format: 'der', type: 'spki' }),
      tlv(0xa0, Buffer.alloc(0)),
    );
    return sequence(info, algorithmIdentifier('ECDSA-SHA256'), bitString(sign('sha256', info, privateKey)));
  });
}

export async function call<T>(station: Station, name: string, input: unknown): Promise<T> {
  const result = await station.dispatch(name, input, ctx);
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value as T;
}

/** Issues `count` certificates with `concurrency` requests in flight; rate, CPU use and peak memory. */
export async function engineRun(
  station: Station,
  policyId: string,
  csrs: Buffer[],
  count: number,
  concurrency: number,
) {
  let next = 0;
  let peakRss = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await station.issuance.issue(
        { policyId, csr: csrs[i % csrs.length] as Buffer, attributes: { serial: String(i).padStart(8, '0') } },
        ctx,
      );
      if (i % 1000 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuMicros = cpu.user + cpu.system;
  return {
    rate: count / seconds,
    cpuPercent: (cpuMicros / 1e6 / seconds) * 100,
    cpuPerItem: cpuMicros / count,
    peakRss,
  };
}

export interface Setup {
  policyId: string;
  keyId: string;
  keyLabel: string;
}

/** The CA and policy, made once: SoftHSM2 runs with one token folder per process. */
export async function setUp(dir: string, pin: string, keyGeneration: string[] = ['device-csr']): Promise<Setup> {
  const station = openStation(path.join(dir, 'station'), { keyStore: { pin } });
  const root = await call<{ id: string }>(station, 'cas.createRoot', {
    name: 'Root',
    subject: { commonName: 'Bench Root' },
  });
  const issuing = await call<{ ca: { id: string } }>(station, 'cas.createIssuing', {
    name: 'Issuing',
    subject: { commonName: 'Bench Issuing' },
    signWithCaId: root.id,
  });
  const policy = await call<{ id: string }>(station, 'policies.create', {
    preset: 'tls-client',
    body: { name: 'TLS', issuingCaId: issuing.ca.id, keyGeneration },
  });
  const { key_id: keyId, key_label: keyLabel } = station.db
    .prepare('SELECT key_id, key_label FROM certificate_authorities WHERE id = ?')
    .get(issuing.ca.id) as { key_id: string; key_label: string };
  await station.close();
  return { policyId: policy.id, keyId, keyLabel };
}
