import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Result } from '../../preload/contract';
import { localOperatorContext } from '../../main/core/api/call-context';
import type { Station } from '../../main/core/station';

export const admin = localOperatorContext('test:admin');

/** Runs openssl and returns its stdout; throws with stderr when it fails. */
export function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** openssl's exit status and everything it printed, for checks that must be able to fail. */
export function opensslStatus(args: string[]): { ok: boolean; output: string } {
  const run = spawnSync('openssl', args, { encoding: 'utf8' });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

export type CsrKey = 'P-256' | 'P-384' | 'secp256k1' | 'RSA-1024' | 'RSA-2048' | 'Ed25519';

/** A key and CSR made by openssl, the way a device or a user would make them. */
export function makeCsr(
  dir: string,
  name: string,
  key: CsrKey,
  subject = '/CN=device',
): { csrFile: string; keyFile: string; csrPem: string } {
  const keyFile = path.join(dir, `${name}.key`);
  const csrFile = path.join(dir, `${name}.csr`);
  const keyArgs =
    key === 'Ed25519'
      ? ['-newkey', 'ed25519']
      : key.startsWith('RSA-')
        ? ['-newkey', `rsa:${key.slice(4)}`]
        : ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${key}`];
  openssl(['req', '-new', ...keyArgs, '-nodes', '-keyout', keyFile, '-out', csrFile, '-subj', subject]);
  return { csrFile, keyFile, csrPem: readFileSync(csrFile, 'utf8') };
}

/** Calls the contract and returns the value, failing the test with the error otherwise. */
export async function call<T>(station: Station, name: string, input: unknown): Promise<T> {
  const result = await station.dispatch(name, input, admin);
  if (!result.ok) throw new Error(`${name} failed: ${result.error.code} ${result.error.message}`);
  return result.value as T;
}

/** Calls the contract expecting a refusal; returns the error code. */
export async function refusal(station: Station, name: string, input: unknown): Promise<string> {
  const result: Result<unknown> = await station.dispatch(name, input, admin);
  if (result.ok) throw new Error(`${name} succeeded but should have been refused`);
  return result.error.code;
}

export interface TestCa {
  rootId: string;
  issuingId: string;
  rootFile: string;
  chainFile: string;
}

/** A root and an issuing CA signed by it, both in the station's key store; their PEMs on disk. */
export async function setUpCa(station: Station, dir: string, algorithm = 'EC-P256'): Promise<TestCa> {
  const root = await call<{ id: string }>(station, 'cas.createRoot', {
    name: `Root ${algorithm}`,
    subject: { commonName: `Test Root ${algorithm}`, organization: 'Acme' },
    algorithm,
  });
  const issuing = await call<{ ca: { id: string } }>(station, 'cas.createIssuing', {
    name: `Issuing ${algorithm}`,
    subject: { commonName: `Test Issuing ${algorithm}`, organization: 'Acme' },
    algorithm,
    signWithCaId: root.id,
  });
  const rootFile = path.join(dir, `root-${algorithm}.pem`);
  const chainFile = path.join(dir, `issuing-${algorithm}.pem`);
  writeFileSync(rootFile, (await call<{ pem: string }>(station, 'cas.exportCertificate', { id: root.id })).pem);
  writeFileSync(chainFile, (await call<{ pem: string }>(station, 'cas.exportCertificate', { id: issuing.ca.id })).pem);
  return { rootId: root.id, issuingId: issuing.ca.id, rootFile, chainFile };
}
