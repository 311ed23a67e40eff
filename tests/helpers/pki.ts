import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import type { CaKeyAlgorithm, CallInput, CallName, CallOutput, ErrorCode } from '../../preload/contract';
import { type CallContext, fullAccessContext } from '../../main/core/api/call-context';
import type { Station } from '../../main/core/station';
import { rowCounts } from './station';

export const admin = fullAccessContext('test:admin');

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

/** A self-signed EC P-256 certificate and key, the factory's key-escrow recipient for sealed device keys. */
export function makeRecipient(dir: string): { keyFile: string; certFile: string } {
  const keyFile = path.join(dir, 'recipient.key');
  const certFile = path.join(dir, 'recipient.pem');
  openssl([
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
    ...['-keyout', keyFile, '-out', certFile, '-subj', '/CN=Factory key recipient', '-days', '30'],
  ]);
  return { keyFile, certFile };
}

/** Calls the contract as the administrator; fails the test with the station's error otherwise. */
export async function call<N extends CallName>(
  station: Station,
  name: N,
  input: CallInput<N>,
  ctx: CallContext = admin,
): Promise<CallOutput<N>> {
  const result = await station.dispatch(name, input, ctx);
  if (!result.ok) assert.fail(`${name} failed: ${result.error.code} ${result.error.message}`);
  return result.value as CallOutput<N>;
}

/** The call must fail with `code` and leave every table as it was; returns the error message. */
export async function refused<N extends CallName>(
  station: Station,
  name: N,
  input: CallInput<N>,
  code: ErrorCode,
  ctx: CallContext = admin,
): Promise<string> {
  const before = rowCounts(station.db);
  const result = await station.dispatch(name, input, ctx);
  if (result.ok) assert.fail(`${name} should have been refused with ${code}`);
  assert.equal(result.error.code, code, result.error.message);
  assert.deepEqual(rowCounts(station.db), before, `${name} refused with ${code} changed the store`);
  return result.error.message;
}

export interface TestCa {
  rootId: string;
  issuingId: string;
  rootFile: string;
  chainFile: string;
}

/** A root and an issuing CA signed by it, both in the station's key store; their PEMs on disk. */
export async function setUpCa(station: Station, dir: string, algorithm: CaKeyAlgorithm = 'EC-P256'): Promise<TestCa> {
  const root = await call(station, 'cas.createRoot', {
    name: `Root ${algorithm}`,
    subject: { commonName: `Test Root ${algorithm}`, organization: 'Acme' },
    algorithm,
  });
  const issuing = await call(station, 'cas.createIssuing', {
    name: `Issuing ${algorithm}`,
    subject: { commonName: `Test Issuing ${algorithm}`, organization: 'Acme' },
    algorithm,
    signWithCaId: root.id,
  });
  const rootFile = path.join(dir, `root-${algorithm}.pem`);
  const chainFile = path.join(dir, `issuing-${algorithm}.pem`);
  writeFileSync(rootFile, (await call(station, 'cas.exportCertificate', { id: root.id })).pem);
  writeFileSync(chainFile, (await call(station, 'cas.exportCertificate', { id: issuing.ca.id })).pem);
  return { rootId: root.id, issuingId: issuing.ca.id, rootFile, chainFile };
}
