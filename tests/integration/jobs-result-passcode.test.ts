// Issue 6: a batch job's result under an optional passcode, as CMS EnvelopedData around the ZIP
// that openssl opens. Through the job service, the loopback bridge and the CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { type LoopbackBridge, startLoopbackBridge } from '../../main/core/bridge/loopback-bridge';
import { isStationError } from '../../main/core/errors/station-error';
import { openStation, type Station } from '../../main/core/station';
import {
  assertCounts,
  createJob,
  csrCsv,
  openEncryptedResult,
  runJob,
  unpackEncryptedResult,
  unpackResult,
} from '../helpers/jobs';
import { admin, call, openssl, opensslStatus, setUpCa, type TestCa } from '../helpers/pki';
import { tempDir } from '../helpers/temp-dir';

const passcode = 'Result passcode 2026!';

/** Everything a Writable was given, and whether it was given anything. */
function collector(): { sink: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { sink, bytes: () => Buffer.concat(chunks) };
}

/** Every file under `dir`, for checks that a secret was written nowhere. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );

interface Download {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function download(bridge: LoopbackBridge, jobId: string, method: 'GET' | 'POST', body?: string): Promise<Download> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: bridge.port,
        path: `/api/jobs/${jobId}/result.zip`,
        method,
        headers: { authorization: `Bearer ${bridge.token}`, 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('a batch job’s result under a passcode', () => {
  const dir = tempDir();
  const data = path.join(dir, 'station');
  let station: Station;
  let open = true;
  let ca: TestCa;
  let jobId: string;

  before(async () => {
    station = openStation(data, { keyStore: { pin: '1234' } });
    ca = await setUpCa(station, dir);
    const policy = await call(station, 'policies.create', {
      preset: 'tls-client',
      body: { name: 'Batch devices', issuingCaId: ca.issuingId, keyGeneration: ['device-csr'] },
    });
    const job = await createJob(station, csrCsv(dir, 3), {
      kind: 'certificates-unmanaged',
      policyId: policy.id,
      keySource: 'csv',
    });
    assert.equal(job.state, 'validated', JSON.stringify(job));
    const done = await runJob(station, job.id);
    assertCounts(done, { done: 3, failed: 0 });
    jobId = job.id;
  });
  after(async () => {
    if (open) await station.close();
  });

  const verify = (certFile: string, chainFile: string) =>
    openssl(['verify', '-CAfile', ca.rootFile, '-untrusted', chainFile, certFile]).trim();

  it('writes CMS EnvelopedData that openssl opens with the passcode into the result ZIP; its certificates verify against their chain', async () => {
    const work = path.join(dir, 'encrypted');
    mkdirSync(work);
    const { p7mFile, folder } = await unpackEncryptedResult(station, jobId, work, passcode);
    const head = readFileSync(p7mFile).subarray(0, 2);
    assert.deepEqual([...head], [0x30, 0x80], 'a BER ContentInfo of indefinite length, not a ZIP');
    assert.ok(!readFileSync(p7mFile).includes(Buffer.from('results.csv')), 'no file name in clear');
    for (let i = 1; i <= 3; i += 1) {
      const cert = path.join(folder, `dev-${i}`, 'certificate.pem');
      assert.equal(verify(cert, path.join(folder, `dev-${i}`, 'chain.pem')), `${cert}: OK`);
    }
    const results = JSON.parse(readFileSync(path.join(folder, 'results.json'), 'utf8')) as { status: string }[];
    assert.deepEqual(
      results.map((r) => r.status),
      ['done', 'done', 'done'],
    );
    // The same content as the plain result.
    mkdirSync(path.join(dir, 'encrypted-plain'));
    const plain = await unpackResult(station, jobId, path.join(dir, 'encrypted-plain'));
    for (const file of ['results.csv', 'dev-2/certificate.pem', 'dev-2/chain.pem']) {
      assert.deepEqual(readFileSync(path.join(folder, file)), readFileSync(path.join(plain, file)), file);
    }
    const wrong = opensslStatus([
      ...['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', p7mFile],
      ...['-pwri_password', 'Result passcode 2027!', '-out', path.join(work, 'wrong.zip')],
    ]);
    assert.equal(wrong.ok, false, 'a wrong passcode opens nothing');
  });

  it('still gives the plain ZIP without a passcode', async () => {
    const work = path.join(dir, 'plain');
    mkdirSync(work, { recursive: true });
    const folder = await unpackResult(station, jobId, work);
    assert.equal(
      readFileSync(path.join(work, `${jobId}.zip`))
        .subarray(0, 4)
        .toString('latin1'),
      'PK\x03\x04',
    );
    const cert = path.join(folder, 'dev-1', 'certificate.pem');
    assert.equal(verify(cert, path.join(folder, 'dev-1', 'chain.pem')), `${cert}: OK`);
  });

  it('leaves nothing behind when the reader goes away mid-download, and records no download', async () => {
    const downloads = () =>
      station.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'job.result-downloaded'").get() as {
        n: number;
      };
    const before = downloads().n;
    let received = 0;
    const failing = new Writable({
      write(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        done(new Error('the connection dropped'));
      },
    });
    await assert.rejects(station.jobs.writeResult(jobId, failing, admin), /connection dropped/);
    assert.ok(received > 0, 'the download had begun');
    assert.deepEqual(
      readdirSync(path.join(data, 'jobs', jobId)).filter((name) => name.startsWith('result-')),
      [],
      'no result file or listing left in the job folder',
    );
    // Recorded once the whole result is written, just before it ends: this one never was.
    assert.equal(downloads().n, before);
  });

  it('refuses a passcode shorter than 8 or longer than 128 characters before writing anything', async () => {
    for (const bad of ['seven77', 'x'.repeat(129)]) {
      const { sink, bytes } = collector();
      let begun = false;
      await assert.rejects(
        station.jobs.writeResult(jobId, sink, admin, () => (begun = true), { passcode: bad }),
        (error: unknown) => {
          assert.ok(isStationError(error));
          assert.equal(error.code, 'INVALID_INPUT');
          assert.match(error.message, /8 to 128 characters/);
          assert.ok(!error.message.includes(bad));
          return true;
        },
      );
      assert.equal(begun, false);
      assert.equal(bytes().length, 0);
    }
    // The bounds themselves are fine.
    for (const good of ['eight888', 'y'.repeat(128)]) {
      const { sink, bytes } = collector();
      await station.jobs.writeResult(jobId, sink, admin, undefined, { passcode: good });
      assert.deepEqual([...bytes().subarray(0, 2)], [0x30, 0x80]);
    }
  });

  it('audits the download as encrypted, and keeps the passcode out of the audit log and the data folder', async () => {
    const rows = station.db
      .prepare("SELECT details FROM audit_log WHERE action = 'job.result-downloaded' AND subject = ? ORDER BY seq")
      .all(jobId) as { details: string }[];
    const details = rows.map((r) => JSON.parse(r.details) as { rows: number; encrypted: boolean });
    assert.ok(details.some((d) => d.encrypted === true && d.rows === 3));
    assert.ok(details.some((d) => d.encrypted === false));
    const everything = station.db.prepare('SELECT * FROM audit_log').all();
    assert.ok(!JSON.stringify(everything).includes(passcode));
    // WAL included: the passcode was never written to the station's folder.
    for (const file of filesUnder(data)) {
      assert.ok(!readFileSync(file).includes(Buffer.from(passcode)), `the passcode is in ${file}`);
    }
  });

  it('on the loopback bridge: POST { passcode } gives …-result.zip.p7m, GET the ZIP, a short passcode a 400', async () => {
    const bridge = await startLoopbackBridge({
      dispatch: station.dispatch,
      hub: station.hub,
      authenticate: () => admin,
      jobs: {
        stage: (body, maxBytes) => station.jobs.stageStream(body, maxBytes),
        writeResult: (id, out, ctx, begin, options) => station.jobs.writeResult(id, out, ctx, begin, options),
      },
    });
    try {
      const work = path.join(dir, 'bridge');
      mkdirSync(work);
      const encrypted = await download(bridge, jobId, 'POST', JSON.stringify({ passcode }));
      assert.equal(encrypted.status, 200, encrypted.body.toString());
      assert.match(String(encrypted.headers['content-type']), /^application\/pkcs7-mime/);
      assert.equal(
        encrypted.headers['content-disposition'],
        `attachment; filename="trustline-job-${jobId}-result.zip.p7m"`,
      );
      const p7mFile = path.join(work, 'result.zip.p7m');
      writeFileSync(p7mFile, encrypted.body);
      const folder = openEncryptedResult(p7mFile, passcode, work);
      const cert = path.join(folder, 'dev-3', 'certificate.pem');
      assert.equal(verify(cert, path.join(folder, 'dev-3', 'chain.pem')), `${cert}: OK`);

      const plain = await download(bridge, jobId, 'GET');
      assert.equal(plain.status, 200);
      assert.equal(plain.headers['content-type'], 'application/zip');
      assert.equal(plain.body.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
      // A POST without a passcode is the plain ZIP too.
      assert.equal((await download(bridge, jobId, 'POST', '{}')).headers['content-type'], 'application/zip');

      const short = await download(bridge, jobId, 'POST', JSON.stringify({ passcode: 'short' }));
      assert.equal(short.status, 400);
      const refusal = JSON.parse(short.body.toString()) as { ok: boolean; error: { code: string; message: string } };
      assert.equal(refusal.error.code, 'INVALID_INPUT');
      assert.match(refusal.error.message, /at least 8 characters/);
      const extra = await download(bridge, jobId, 'POST', JSON.stringify({ passcode, cc: 'x' }));
      assert.equal(extra.status, 400);
      assert.equal((await download(bridge, jobId, 'POST', 'not json')).status, 400);
    } finally {
      await bridge.close();
    }
  });

  it('on a bridge whose wiring drops the passcode: refuses, and sends nothing in clear', async () => {
    // As main/cli/serve-command.ts wired it before issue 6: four arguments passed on, no options.
    const bridge = await startLoopbackBridge({
      dispatch: station.dispatch,
      hub: station.hub,
      authenticate: () => admin,
      jobs: {
        stage: (body, maxBytes) => station.jobs.stageStream(body, maxBytes),
        writeResult: (id, out, ctx, begin) => station.jobs.writeResult(id, out, ctx, begin),
      },
    });
    const errors = console.error;
    console.error = () => undefined;
    try {
      const refused = await download(bridge, jobId, 'POST', JSON.stringify({ passcode }));
      assert.equal(refused.status, 500);
      assert.equal(refused.headers['content-type'], 'application/json; charset=utf-8');
      assert.ok(!refused.body.includes(Buffer.from('PK\x03\x04', 'latin1')));
    } finally {
      console.error = errors;
      await bridge.close();
    }
  });

  it('from the CLI: job result and job run with --result-passcode-file write what openssl opens; a short passcode writes nothing', async () => {
    await station.close();
    open = false;
    const work = path.join(dir, 'cli');
    mkdirSync(work);
    const passcodeFile = path.join(work, 'passcode.txt');
    writeFileSync(passcodeFile, `${passcode}\n`);
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('TRUSTLINE_')),
    ) as NodeJS.ProcessEnv;
    const trustline = (args: string[], extraEnv: Record<string, string> = {}) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/trustline.ts', ...args], {
        encoding: 'utf8',
        env: { ...env, TRUSTLINE_HSM_PIN: '1234', ...extraEnv },
      });
    const out = path.join(work, 'result.zip.p7m');
    const written = trustline([
      ...['job', 'result', '--data', data, '--id', jobId, '--out', out],
      ...['--result-passcode-file', passcodeFile],
    ]);
    assert.equal(written.status, 0, written.stderr);
    assert.ok(!`${written.stdout}${written.stderr}`.includes(passcode));
    const folder = openEncryptedResult(out, passcode, work);
    const cert = path.join(folder, 'dev-1', 'certificate.pem');
    assert.equal(verify(cert, path.join(folder, 'dev-1', 'chain.pem')), `${cert}: OK`);

    // From the environment too.
    const fromEnv = path.join(work, 'env.zip.p7m');
    const viaEnv = trustline(['job', 'result', '--data', data, '--id', jobId, '--out', fromEnv], {
      TRUSTLINE_RESULT_PASSCODE: passcode,
    });
    assert.equal(viaEnv.status, 0, viaEnv.stderr);
    openEncryptedResult(fromEnv, passcode, work, 'env');

    // job run writes its result under the passcode at the end of the run.
    const runOut = path.join(work, 'run.zip.p7m');
    const ran = trustline([
      ...['job', 'run', '--data', data, '--kind', 'certificates-unmanaged', '--policy', 'Batch devices'],
      ...['--input', csrCsv(work, 2, 'run.csv'), '--out', runOut, '--result-passcode-file', passcodeFile],
    ]);
    assert.equal(ran.status, 0, ran.stderr);
    const runFolder = openEncryptedResult(runOut, passcode, work, 'run');
    const runCert = path.join(runFolder, 'dev-2', 'certificate.pem');
    assert.equal(verify(runCert, path.join(runFolder, 'dev-2', 'chain.pem')), `${runCert}: OK`);

    writeFileSync(passcodeFile, 'short\n');
    const runRefused = trustline([
      ...['job', 'run', '--data', data, '--kind', 'certificates-unmanaged', '--policy', 'Batch devices'],
      ...['--input', path.join(work, 'run.csv'), '--out', path.join(work, 'never.zip.p7m')],
      ...['--result-passcode-file', passcodeFile],
    ]);
    assert.equal(runRefused.status, 2, 'refused before the job is even created');
    assert.ok(!existsSync(path.join(work, 'never.zip.p7m')));
    const refusedOut = path.join(work, 'refused.zip.p7m');
    const refused = trustline([
      ...['job', 'result', '--data', data, '--id', jobId, '--out', refusedOut],
      ...['--result-passcode-file', passcodeFile],
    ]);
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, /8 to 128 characters/);
    assert.ok(!existsSync(refusedOut) && !existsSync(`${refusedOut}.partial`));
  });
});
