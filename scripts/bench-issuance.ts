// Issuance benchmark: P-256 device CSRs signed by a SoftHSM2 P-256 issuing CA through the whole
// engine (parse and verify the CSR, check the policy, build, sign, record with its audit entry),
// beside the raw PKCS#11 sign rate of the same token and key measured in the same run.
// Usage: npm run bench -- issuance [--count N] [--concurrency N]
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pkcs11js from 'pkcs11js';
import { acquireModule, releaseModule } from '../hsm/pkcs11-module-registry';
import { openStation, type Station } from '../main/core/station';
import { deviceCsrs, engineRun, type Setup, setUp } from './issuance-fixtures';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'issuance'),
  options: { count: { type: 'string', default: '20000' }, concurrency: { type: 'string', default: '64' } },
});
const count = Number(values.count);
const concurrency = Number(values.concurrency);
const pin = '1234';
const dir = mkdtempSync(path.join(os.tmpdir(), 'trustline-bench-issuance-'));

/** Raw C_SignInit + C_Sign of a SHA-256 digest with the CA's key on one session of this process. */
function rawSignRate(station: Station, keyId: string, seconds = 2): number {
  const module = acquireModule(station.keys.status().modulePath ?? '');
  const p11 = module.pkcs11;
  try {
    const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === 'trustline-station');
    if (!slot) throw new Error('token not found');
    const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    p11.C_FindObjectsInit(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
      { type: pkcs11js.CKA_ID, value: Buffer.from(keyId, 'hex') },
    ]);
    const key = p11.C_FindObjects(session);
    p11.C_FindObjectsFinal(session);
    if (!key) throw new Error('CA key not found');
    const digest = createHash('sha256').update('tbs').digest();
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      p11.C_SignInit(session, { mechanism: pkcs11js.CKM_ECDSA }, key);
      p11.C_Sign(session, digest, Buffer.alloc(64));
      n += 1;
    }
    p11.C_CloseSession(session);
    return n / ((performance.now() - start) / 1000);
  } finally {
    releaseModule(module);
  }
}

/** The key store's own sign() with `concurrency` in flight: what the engine can get from it. */
async function keyStoreSignRate(station: Station, setup: Setup, n: number): Promise<number> {
  const store = await station.keys.require('bench');
  const key = { id: setup.keyId, label: setup.keyLabel, algorithm: 'EC-P256' as const };
  const tbs = Buffer.alloc(400, 7);
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < n) await store.sign(key, 'ECDSA-SHA256', tbs);
    }),
  );
  return n / ((performance.now() - start) / 1000);
}

async function bench(sessions: number, csrs: Buffer[], setup: Setup) {
  const station = openStation(path.join(dir, 'station'), { keyStore: { pin, sessions } });
  // Warm up: the first issues compile the policy and JIT the encoders.
  await engineRun(station, setup.policyId, csrs, 500, concurrency);
  const raw = rawSignRate(station, setup.keyId);
  const keyStore = await keyStoreSignRate(station, setup, count);
  const engine = await engineRun(station, setup.policyId, csrs, count, concurrency);
  await station.close();
  return { raw, keyStore, engine };
}

const csrs = deviceCsrs(512);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(
  `issuance bench: ${fmt(count)} P-256 leaf certificates, ${concurrency} requests in flight, SoftHSM2 P-256 CA`,
);
const setup = await setUp(dir, pin);
for (const sessions of [1, 2]) {
  const { raw, keyStore, engine } = await bench(sessions, csrs, setup);
  console.log(`\n${sessions} signing session(s):`);
  console.log(`  raw C_SignInit+C_Sign, one session   ${fmt(raw)}/s   baseline`);
  console.log(`  key store sign()                     ${fmt(keyStore)}/s   ${(keyStore / raw).toFixed(2)}x`);
  console.log(
    `  engine: CSR -> recorded certificate  ${fmt(engine.rate)}/s   ${(engine.rate / raw).toFixed(2)}x; ` +
      `CPU ${Math.round(engine.cpuPercent)}% of one core; peak RSS ${Math.round(engine.peakRss / 1048576)} MB`,
  );
}
rmSync(dir, { recursive: true, force: true });
