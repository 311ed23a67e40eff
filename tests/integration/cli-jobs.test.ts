import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { openStation } from '../../main/core/station';
import { databaseFileName } from '../../main/core/store/database';
import { csrCsv, openSealedKey } from '../helpers/jobs';
import { call, makeCsr, makeRecipient, openssl, setUpCa, type TestCa } from '../helpers/pki';
import { tempDir } from '../helpers/temp-dir';

const cliArgs = ['--import', 'tsx', 'main/cli/trustline.ts'];

/** The CLI's environment: the key store's PIN, and nobody signed in (the station has no users). */
function cliEnv(): NodeJS.ProcessEnv {
  const env = Object.entries(process.env).filter(
    ([name]) => !['TRUSTLINE_TOKEN', 'TRUSTLINE_USER', 'TRUSTLINE_PASSWORD', 'TRUSTLINE_JOB_PASSCODE'].includes(name),
  );
  return { ...Object.fromEntries(env), TRUSTLINE_HSM_PIN: '1234' };
}

/** Runs the CLI from source the way `trustline` runs it from the build. */
function trustline(args: string[]) {
  const result = spawnSync(process.execPath, [...cliArgs, ...args], { encoding: 'utf8', env: cliEnv() });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The result ZIP unpacked into a fresh folder. */
function unzip(zipFile: string): string {
  const out = `${zipFile}.d`;
  mkdirSync(out);
  execFileSync('unzip', ['-q', zipFile, '-d', out]);
  return out;
}

describe('trustline job: batch certificate jobs from the command line', () => {
  const dir = tempDir();
  const data = path.join(dir, 'station');
  let ca: TestCa;

  before(async () => {
    // The station is set up in-process, then closed: the CLI opens the same data folder.
    const station = openStation(data, { keyStore: { pin: '1234' } });
    try {
      ca = await setUpCa(station, dir);
      await call(station, 'policies.create', {
        preset: 'tls-client',
        body: { name: 'Batch devices', issuingCaId: ca.issuingId, keyGeneration: ['device-csr', 'station-generated'] },
      });
      await call(station, 'deviceGroups.create', { name: 'Batch group' });
    } finally {
      await station.close();
    }
  });

  const verified = (certFile: string) =>
    openssl(['verify', '-CAfile', ca.rootFile, '-untrusted', ca.chainFile, certFile]).trim() === `${certFile}: OK`;

  it('writes a template, runs 20 CSR rows from a CSV built on it, and every certificate verifies', () => {
    const work = path.join(dir, 'csv');
    mkdirSync(work);
    const templateFile = path.join(work, 'template.csv');
    const template = trustline([
      'job',
      'template',
      '--kind',
      'certificates-unmanaged',
      '--policy',
      'batch devices',
      '--key-source',
      'csv',
      '--out',
      templateFile,
      '--data',
      data,
    ]);
    assert.equal(template.code, 0, template.stderr);
    const header = readFileSync(templateFile, 'utf8');
    assert.match(header, /^[a-z_.,]+\r\n$/);
    const columns = header.trim().split(',');
    assert.deepEqual([...columns].sort(), ['attr.serial', 'csr', 'device_name']);

    // The rows csrCsv makes, under the template's header in the template's column order.
    const generated = readFileSync(csrCsv(work, 20, 'generated.csv'), 'utf8');
    const [generatedHeader = '', ...rows] = generated.split('\r\n');
    assert.equal(generatedHeader, 'device_name,csr,attr.serial');
    const input = path.join(work, 'devices.csv');
    const fields = (row: string) => /^([^,]*),("[^"]*"),(.*)$/.exec(row)?.slice(1) ?? [];
    const byName = (row: string) =>
      Object.fromEntries(['device_name', 'csr', 'attr.serial'].map((c, i) => [c, fields(row)[i] ?? '']));
    writeFileSync(
      input,
      header +
        rows
          .filter((r) => r !== '')
          .map((r) => columns.map((c) => byName(r)[c]).join(','))
          .join('\r\n') +
        '\r\n',
    );

    const zipFile = path.join(work, 'r.zip');
    const run = trustline([
      'job',
      'run',
      '--kind',
      'certificates-unmanaged',
      '--policy',
      'Batch devices',
      '--input',
      input,
      '--out',
      zipFile,
      '--data',
      data,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /checked 20 rows/);
    assert.match(run.stdout, /20 done, 0 failed, 0 skipped/);
    const out = unzip(zipFile);
    for (let i = 1; i <= 20; i += 1) {
      const cert = path.join(out, `dev-${i}`, 'certificate.pem');
      assert.ok(verified(cert), `dev-${i} verifies`);
    }

    const listed = trustline(['job', 'list', '--json', '--data', data]);
    assert.equal(listed.code, 0, listed.stderr);
    const jobs = JSON.parse(listed.stdout) as { id: string; state: string; counts: { done: number } }[];
    assert.equal(jobs[0]?.state, 'completed');
    const shown = trustline(['job', 'show', '--id', jobs[0]?.id ?? '', '--json', '--data', data]);
    assert.equal(shown.code, 0, shown.stderr);
    const job = JSON.parse(shown.stdout) as { counts: { done: number }; problems: unknown[] };
    assert.equal(job.counts.done, 20);
    assert.deepEqual(job.problems, []);
  });

  it('makes the keys on the station and seals each to a --recipient: openssl cms recovers a key matching its certificate', () => {
    const work = path.join(dir, 'cms');
    mkdirSync(work);
    const { keyFile: recipientKey, certFile: recipientCert } = makeRecipient(work);
    const input = path.join(work, 'devices.csv');
    writeFileSync(input, 'device_name,description,attr.serial\nkey-1,first,K1\nkey-2,second,K2\n');
    const zipFile = path.join(work, 'r.zip');
    const run = trustline([
      'job',
      'run',
      '--kind',
      'certificates-managed',
      '--group',
      'Batch group',
      '--policy',
      'Batch devices',
      '--input',
      input,
      '--recipient',
      recipientCert,
      '--out',
      zipFile,
      '--json',
      '--data',
      data,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const job = JSON.parse(run.stdout) as { keySource: string; delivery: string; counts: { done: number } };
    assert.deepEqual([job.keySource, job.delivery, job.counts.done], ['station', 'cms', 2]);
    const folder = path.join(unzip(zipFile), 'key-1');
    const sealed = openSealedKey(folder, { certFile: recipientCert, keyFile: recipientKey });
    assert.equal(sealed.keyPublic, sealed.certificatePublic);
    assert.ok(verified(path.join(folder, 'certificate.pem')));
  });

  it('names a bad row by its line and issues nothing; with --skip-invalid it issues the rest', () => {
    const work = path.join(dir, 'bad-row');
    mkdirSync(work);
    const good = makeCsr(work, 'good', 'P-256').csrPem.trim();
    const input = path.join(work, 'mixed.csv');
    writeFileSync(input, `device_name,csr,attr.serial\nbroken-1,not a csr,B1\nfine-1,"${good}",F1\n`);
    const args = ['job', 'run', '--kind', 'certificates-unmanaged', '--policy', 'Batch devices', '--input', input];
    const refused = trustline([...args, '--out', path.join(work, 'refused.zip'), '--data', data]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /^line 2 \(broken-1\): (PEM_INVALID|CSR_INVALID) /m);
    assert.match(refused.stderr, /--skip-invalid/);
    assert.deepEqual(
      readdirSync(work).filter((f) => f.endsWith('.zip')),
      [],
    );

    const skipped = trustline([...args, '--skip-invalid', '--out', path.join(work, 'r.zip'), '--data', data]);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stdout, /1 done, 0 failed, 1 skipped/);
    assert.ok(verified(path.join(unzip(path.join(work, 'r.zip')), 'fine-1', 'certificate.pem')));
  });

  it('survives kill -9 mid-run: resume finishes every row once, with one certificate per row', async () => {
    const work = path.join(dir, 'kill');
    mkdirSync(work);
    const input = csrCsv(work, 400);
    const dbFile = path.join(data, databaseFileName);
    const child = spawn(
      process.execPath,
      [
        ...cliArgs,
        'job',
        'run',
        '--kind',
        'certificates-unmanaged',
        '--policy',
        'Batch devices',
        '--input',
        input,
        '--out',
        path.join(work, 'first.zip'),
        '--data',
        data,
      ],
      { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let childOutput = '';
    child.stdout.on('data', (chunk: Buffer) => (childOutput += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (childOutput += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    );

    // Read-only, from outside, the way an operator's script would watch it.
    const watcher = new BetterSqlite3(dbFile, { readonly: true, fileMustExist: true });
    const doneRows = watcher.prepare(
      "SELECT COUNT(*) AS n FROM job_rows WHERE status = 'done' AND job_id = (SELECT id FROM jobs ORDER BY seq DESC LIMIT 1)",
    );
    let done = 0;
    const deadline = Date.now() + 120_000;
    while (done <= 50) {
      assert.ok(child.exitCode === null, `the run ended before it could be killed:\n${childOutput}`);
      assert.ok(Date.now() < deadline, `no rows done in time:\n${childOutput}`);
      await sleep(5);
      done = (doneRows.get() as { n: number }).n;
    }
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    const jobId = (watcher.prepare('SELECT id FROM jobs ORDER BY seq DESC LIMIT 1').get() as { id: string }).id;
    const doneAtKill = (doneRows.get() as { n: number }).n;
    watcher.close();
    assert.ok(doneAtKill < 400, `the run had finished (${doneAtKill} rows) before the kill`);

    const zipFile = path.join(work, 'r.zip');
    const resumed = trustline(['job', 'resume', '--id', jobId, '--out', zipFile, '--data', data]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /400 done, 0 failed/);

    const db = new BetterSqlite3(dbFile, { readonly: true, fileMustExist: true });
    try {
      const count = (sql: string) => (db.prepare(sql).get(jobId) as { n: number }).n;
      assert.equal(count("SELECT COUNT(*) AS n FROM job_rows WHERE job_id = ? AND status = 'done'"), 400);
      assert.equal(count('SELECT COUNT(*) AS n FROM certificates WHERE job_id = ?'), 400);
      assert.equal(
        count(
          'SELECT COUNT(*) AS n FROM (SELECT job_line FROM certificates WHERE job_id = ? GROUP BY job_line HAVING COUNT(*) > 1)',
        ),
        0,
      );
      const serials = db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT serial) AS d FROM certificates').get() as {
        n: number;
        d: number;
      };
      assert.equal(serials.d, serials.n);
    } finally {
      db.close();
    }
    const entries = execFileSync('unzip', ['-Z1', zipFile], { encoding: 'utf8' }).split('\n');
    assert.equal(entries.filter((e) => e.endsWith('/certificate.pem')).length, 400);
  });

  it('refuses contradictory or incomplete commands with exit code 2', () => {
    const work = path.join(dir, 'usage');
    mkdirSync(work);
    const input = path.join(work, 'devices.csv');
    writeFileSync(input, 'device_name,attr.serial\nu-1,U1\n');
    writeFileSync(path.join(work, 'passcode.txt'), 'factory-passcode-1\n');
    const base = ['job', 'run', '--policy', 'Batch devices', '--input', input, '--data', data];
    const cases: [string, string[], RegExp][] = [
      ['no --out', [...base, '--kind', 'certificates-unmanaged'], /job run needs .*--out RESULT\.zip/],
      [
        '--recipient with --passcode-file',
        [
          ...base,
          '--kind',
          'certificates-unmanaged',
          '--out',
          path.join(work, 'r.zip'),
          '--recipient',
          ca.rootFile,
          '--passcode-file',
          path.join(work, 'passcode.txt'),
        ],
        /not both/,
      ],
      [
        'an unknown --kind',
        [...base, '--kind', 'certificates-everywhere', '--out', path.join(work, 'r.zip')],
        /--kind must be one of register-devices, /,
      ],
    ];
    for (const [what, args, message] of cases) {
      const run = trustline(args);
      assert.equal(run.code, 2, `${what}: ${run.stderr}`);
      assert.match(run.stderr, message, what);
    }
  });
});
