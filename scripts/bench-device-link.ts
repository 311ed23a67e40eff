// Device link benchmark: the station's session against a simulated device over a real PTY pair,
// with both directions paced to 115200 baud 8N1 (the device paces its output; the station's
// writes go through the same pacing here, as a UART would send them).
//  (a) effective payload rate of a large WRITE_CHAIN and READ_SLOT transfer beside the line's
//      theoretical 11,520 B/s (target ≥ 90 %, resources/device-protocol.md section 11);
//  (b) the time of one device's exchange: IDENTIFY, GENERATE_KEY with CSR, WRITE_CHAIN of a
//      2-certificate chain (~1.5 KB), READ_SLOT back, SIGN_CHALLENGE; median of several runs.
// Usage: npm run bench -- device-link [--kib 48] [--runs 5]
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createDeviceSession, type DeviceSession } from '../main/core/device/link/device-session';
import { chunkSizeFor, encodeFrame, encodeMessage } from '../main/core/device/protocol';
import { derElement } from '../main/core/device/simulator/der-lite';
import { startSimulator } from '../main/core/device/simulator/simulator';
import { openSerialPort } from '../main/core/device/transports/serial-port';
import { pacedStationLink } from './paced-station-link';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'device-link'),
  options: { kib: { type: 'string', default: '48' }, runs: { type: 'string', default: '5' } },
});
const BAUD = 115200;
const LINE_RATE = BAUD / 10; // 8N1: 10 bit times per byte → 11,520 B/s
const TARGET = 0.9;
const kib = Number(values.kib);
const runs = Number(values.runs);
if (!(kib >= 1 && kib <= 1024) || !(runs >= 1)) throw new Error('--kib must be 1..1024 and --runs at least 1');

/** Content a device accepts for a chain slot: DER SEQUENCEs (random bodies, like real DER). */
function fakeCertificates(sizes: number[]): Buffer {
  return Buffer.concat(sizes.map((size) => derElement(0x30, randomBytes(size))));
}

function subjectName(cn: string): Buffer {
  const attribute = derElement(0x30, Buffer.from('0603550403', 'hex'), derElement(0x0c, Buffer.from(cn, 'utf8')));
  return derElement(0x30, derElement(0x31, attribute));
}

async function writeChain(session: DeviceSession, slot: number, content: Buffer, chunk: number): Promise<void> {
  for (let offset = 0; offset < content.length; offset += chunk) {
    const data = content.subarray(offset, offset + chunk);
    const response = await session.request({ command: 'writeChain', slot, offset, totalLength: content.length, data });
    if (response.digest && !response.digest.equals(createHash('sha256').update(content).digest())) {
      throw new Error('digest mismatch');
    }
  }
}

async function readAll(session: DeviceSession, slot: number, chunk: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let offset = 0; ;) {
    const response = await session.request({ command: 'readSlot', slot, offset, maxLength: chunk });
    parts.push(response.data);
    offset += response.data.length;
    if (offset >= response.totalLength) return Buffer.concat(parts);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
/** Wire bytes of one request or response message: leading 0x00 + COBS frame with delimiter. */
const wireBytes = (message: Buffer) => 1 + encodeFrame(message).length;

const dir = mkdtempSync(path.join(os.tmpdir(), 'trustline-bench-device-link-'));
const size = kib * 1024;
const simulator = await startSimulator({
  ports: 1,
  baudRate: BAUD,
  stateDir: dir,
  chainSlotCapacity: size + 1024,
});
const raw = await openSerialPort(simulator.ports[0]!.stationPath, { baudRate: BAUD });
const link = pacedStationLink(raw, BAUD);
const session = createDeviceSession(link);
let failed = false;
try {
  const identity = await session.request({ command: 'identify' });
  const chunk = chunkSizeFor(identity.maxMessageSize);
  console.log(`device-link bench: 115200 baud 8N1, both directions paced, over a PTY pair (socat)`);
  console.log(`line capacity (theoretical): ${fmt(LINE_RATE)} B/s; target for payload ≥ ${pct(TARGET)}`);

  // (a) One large transfer each way.
  const certificates = Math.ceil(size / 8000);
  const content = fakeCertificates(
    Array.from({ length: certificates }, (_, i) => (i < certificates - 1 ? 8000 : size - 8000 * (certificates - 1))),
  );
  const retriesBefore = session.stats.retries;
  let started = performance.now();
  await writeChain(session, 1, content, chunk);
  const writeSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const back = await readAll(session, 1, chunk);
  const readSeconds = (performance.now() - started) / 1000;
  if (!back.equals(content)) throw new Error('read back differs from what was written');
  const writeRate = content.length / writeSeconds;
  const readRate = content.length / readSeconds;
  console.log(`\n(a) large transfer: ${fmt(content.length)} payload bytes in ${chunk}-byte chunks`);
  for (const [name, seconds, rate] of [
    ['WRITE_CHAIN', writeSeconds, writeRate],
    ['READ_SLOT  ', readSeconds, readRate],
  ] as const) {
    const ratio = rate / LINE_RATE;
    console.log(
      `    ${name} ${seconds.toFixed(2)} s  ${fmt(rate)} B/s  = ${pct(ratio)} of ${fmt(LINE_RATE)} B/s  ` +
        `${ratio >= TARGET ? 'OK' : 'BELOW TARGET'}`,
    );
    if (ratio < TARGET) failed = true;
  }
  if (session.stats.retries !== retriesBefore)
    console.log(`    (retries during the transfer: ${session.stats.retries - retriesBefore})`);

  // (b) One device's whole exchange, reset between runs (the reset is not timed).
  const chain = fakeCertificates([820, 700]);
  const steps = ['identify', 'generateKey+CSR', 'writeChain', 'readSlot', 'signChallenge'] as const;
  const times: Record<(typeof steps)[number] | 'total', number[]> = {
    identify: [],
    'generateKey+CSR': [],
    writeChain: [],
    readSlot: [],
    signChallenge: [],
    total: [],
  };
  let wire = 0;
  for (let run = 0; run < runs; run++) {
    await session.request({ command: 'factoryReset' });
    const t: number[] = [performance.now()];
    const id = await session.request({ command: 'identify' });
    t.push(performance.now());
    const key = await session.request({
      command: 'generateKey',
      slot: 0,
      keyType: 'ecP256',
      output: 'csr',
      subject: subjectName(`${id.serialNumber} bench ${run}`),
    });
    t.push(performance.now());
    await writeChain(session, 1, chain, chunk);
    t.push(performance.now());
    const read = await readAll(session, 1, chunk);
    t.push(performance.now());
    if (!read.equals(chain)) throw new Error('chain read back differs');
    await session.request({ command: 'signChallenge', slot: 0, challenge: randomBytes(32) });
    t.push(performance.now());
    steps.forEach((step, i) => times[step].push(t[i + 1]! - t[i]!));
    times.total.push(t[t.length - 1]! - t[0]!);
    if (run === 0) {
      // The exchange's bytes on the wire, both ways, for a lower bound on its time.
      const msg = (body: object, kind: 'request' | 'response') =>
        wireBytes(encodeMessage({ kind, seq: 0, ...body } as never));
      wire =
        msg({ command: 'identify' }, 'request') +
        msg(id, 'response') +
        msg(
          {
            command: 'generateKey',
            slot: 0,
            keyType: 'ecP256',
            output: 'csr',
            subject: subjectName(`${id.serialNumber} bench 0`),
          },
          'request',
        ) +
        msg(key, 'response') +
        msg({ command: 'writeChain', slot: 1, offset: 0, totalLength: chain.length, data: chain }, 'request') +
        msg({ command: 'writeChain', slot: 1, nextOffset: chain.length, digest: Buffer.alloc(32) }, 'response') +
        msg({ command: 'readSlot', slot: 1, offset: 0, maxLength: chunk }, 'request') +
        msg({ command: 'readSlot', slot: 1, offset: 0, totalLength: chain.length, data: chain }, 'response') +
        msg({ command: 'signChallenge', slot: 0, challenge: Buffer.alloc(32) }, 'request') +
        msg({ command: 'signChallenge', slot: 0, signature: Buffer.alloc(71) }, 'response');
    }
  }
  const total = median(times.total);
  const wireMs = (wire / LINE_RATE) * 1000;
  console.log(
    `\n(b) one device's exchange (identify, generateKey with CSR, writeChain ${fmt(chain.length)} B chain of 2 certificates, readSlot, signChallenge)`,
  );
  console.log(
    `    median of ${runs}: ${total.toFixed(1)} ms  (min ${Math.min(...times.total).toFixed(1)}, max ${Math.max(...times.total).toFixed(1)})`,
  );
  console.log(
    `    wire time of its ${fmt(wire)} bytes at ${fmt(LINE_RATE)} B/s: ${wireMs.toFixed(1)} ms  → wire / total = ${pct(wireMs / total)}`,
  );
  console.log(`    per step (median): ${steps.map((s) => `${s} ${median(times[s]).toFixed(1)} ms`).join(', ')}`);
  console.log(
    `\nsession: ${session.stats.requests} requests, ${session.stats.retries} retries, ${session.stats.framingErrors} framing errors`,
  );
} finally {
  session.dispose();
  await link.close();
  await simulator.close();
  rmSync(dir, { recursive: true, force: true });
}
if (failed) process.exitCode = 1;
