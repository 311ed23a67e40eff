import assert from 'node:assert/strict';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Job } from '../../preload/contract';
import { verifyAuditLog } from '../../main/core/audit/audit-log.repo';
import { ZipWriter } from '../../main/core/jobs/zip-writer';
import { openStation, type Station } from '../../main/core/station';
import { assertCounts, createJob, csrCsv, openSealedKey, runJob, unpackResult } from '../helpers/jobs';
import { admin, call, makeCsr, makeRecipient, openssl, setUpCa, type TestCa } from '../helpers/pki';
import { tempDir } from '../helpers/temp-dir';

describe('batch jobs', () => {
  let station: Station;
  const dir = tempDir();
  let ca: TestCa;
  let policyId: string;
  let groupId: string;

  before(async () => {
    station = openStation(path.join(dir, 'station'), { keyStore: { pin: '1234' } });
    ca = await setUpCa(station, dir);
    const policy = await call(station, 'policies.create', {
      preset: 'tls-client',
      body: {
        name: 'Batch devices',
        issuingCaId: ca.issuingId,
        keyGeneration: ['device-csr', 'device-public-key', 'station-generated'],
      },
    });
    policyId = policy.id;
    groupId = (await call(station, 'deviceGroups.create', { name: 'Batch group' })).id;
  });
  after(() => station.close());

  const verify = (certFile: string) =>
    openssl(['verify', '-CAfile', ca.rootFile, '-untrusted', ca.chainFile, certFile]).trim();

  it('offers a template with the policy’s attribute columns', async () => {
    const template = await call(station, 'jobs.template', {
      kind: 'certificates-managed',
      policyId,
      keySource: 'csv',
    });
    assert.equal(template.csv, 'device_name,description,csr,attr.serial\r\n');
  });

  it('issues a certificate per CSR row of an unmanaged job; every certificate verifies; results list every row', async () => {
    const work = path.join(dir, 'unmanaged');
    mkdirSync(work);
    const job = await createJob(station, csrCsv(work, 5), {
      kind: 'certificates-unmanaged',
      policyId,
      keySource: 'csv',
    });
    assert.equal(job.state, 'validated', JSON.stringify(job));
    assertCounts(job, { total: 5, pending: 5, invalid: 0 });
    const done = await runJob(station, job.id);
    assertCounts(done, { done: 5, failed: 0 });
    assert.equal(done.state, 'completed');
    const out = await unpackResult(station, job.id, work);
    for (let i = 1; i <= 5; i += 1) {
      const cert = path.join(out, `dev-${i}`, 'certificate.pem');
      assert.equal(verify(cert), `${cert}: OK`);
      assert.match(openssl(['x509', '-in', cert, '-noout', '-subject']), new RegExp(`CN\\s*=\\s*SN00000${i}`));
    }
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as { status: string }[];
    assert.deepEqual(
      results.map((r) => r.status),
      ['done', 'done', 'done', 'done', 'done'],
    );
    assert.match(readFileSync(path.join(out, 'results.csv'), 'utf8'), /^line,deviceName,status,/);
  });

  it('keeps a CSR row as the DER of its PEM; rows an earlier version kept as PEM still issue', async () => {
    const work = path.join(dir, 'der-rows');
    mkdirSync(work);
    const csv = csrCsv(work, 4);
    const job = await createJob(station, csv, { kind: 'certificates-unmanaged', policyId, keySource: 'csv' });
    assertCounts(job, { total: 4, pending: 4, invalid: 0 });
    const stored = () =>
      (
        station.db.prepare('SELECT line, payload FROM job_rows WHERE job_id = ? ORDER BY line').all(job.id) as {
          line: number;
          payload: string;
        }[]
      ).map((row) => ({
        line: row.line,
        csr: Buffer.from((JSON.parse(row.payload) as { csr: string }).csr, 'base64'),
      }));
    const pems = readFileSync(csv, 'utf8').match(
      /-----BEGIN CERTIFICATE REQUEST-----[^-]+-----END CERTIFICATE REQUEST-----/g,
    );
    assert.equal(pems?.length, 4);
    const rows = stored();
    rows.forEach((row, i) => {
      const der = Buffer.from((pems?.[i] ?? '').replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
      assert.equal(row.csr[0], 0x30, 'a DER SEQUENCE, not PEM text');
      assert.deepEqual(row.csr, der);
    });
    // Two rows as a job validated before this change kept them: the CSR's PEM text.
    for (const row of rows.slice(0, 2)) {
      const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${row.csr.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
      station.db
        .prepare("UPDATE job_rows SET payload = json_set(payload, '$.csr', ?) WHERE job_id = ? AND line = ?")
        .run(Buffer.from(pem).toString('base64'), job.id, row.line);
    }
    assert.equal(stored()[0]?.csr.subarray(0, 10).toString('latin1'), '-----BEGIN');
    const done = await runJob(station, job.id);
    assertCounts(done, { done: 4, failed: 0 });
    const out = await unpackResult(station, job.id, work);
    for (let i = 1; i <= 4; i += 1) {
      const cert = path.join(out, `dev-${i}`, 'certificate.pem');
      assert.equal(verify(cert), `${cert}: OK`);
    }
  });

  it('reports a running job’s rate and time left from its recent rows', async () => {
    const work = path.join(dir, 'rate');
    mkdirSync(work);
    // Station-made keys: a CSV of names only, long enough to run for a few seconds.
    const rows = 8000;
    const csv = path.join(work, 'devices.csv');
    const lines = Array.from({ length: rows }, (_, i) => `rate-${i},R${i}`);
    writeFileSync(csv, `device_name,attr.serial\n${lines.join('\n')}\n`);
    const { certFile } = makeRecipient(work);
    const job = await createJob(station, csv, {
      kind: 'certificates-unmanaged',
      policyId,
      keySource: 'station',
      delivery: 'cms',
      recipientPem: readFileSync(certFile, 'utf8'),
    });
    const seen: { at: number; done: number; pending: number; rate: number | null; etaSeconds: number | null }[] = [];
    const unsubscribe = station.hub.subscribe(({ name, payload }) => {
      if (name !== 'jobs.changed') return;
      const changed = payload as Job;
      if (changed.id !== job.id || changed.state !== 'running') return;
      const { done, pending } = changed.counts;
      seen.push({ at: performance.now(), done, pending, rate: changed.rate, etaSeconds: changed.etaSeconds });
    });
    const finished = await runJob(station, job.id).finally(unsubscribe);
    assertCounts(finished, { done: rows, failed: 0 });
    // Progress events come at most every 250 ms; the run lasts long enough for several.
    const rated = seen.filter((s) => s.rate !== null);
    assert.ok(rated.length >= 2, `progress events with a rate: ${JSON.stringify(seen)}`);
    const first = seen[0];
    const last = seen.at(-1);
    assert.ok(first && last && last.at > first.at);
    // The rate the station reports is the rate the events show, within a factor of two.
    const observed = (last.done - first.done) / ((last.at - first.at) / 1000);
    const reported = rated.at(-1)?.rate ?? 0;
    assert.ok(reported > observed / 2 && reported < observed * 2, `reported ${reported}/s, observed ${observed}/s`);
    for (const s of rated) {
      assert.ok(s.rate !== null && s.rate > 0);
      assert.ok(s.etaSeconds !== null && Math.abs(s.etaSeconds - s.pending / s.rate) < 1e-6, JSON.stringify(s));
    }
    // A finished job has no rate or time left.
    assert.equal(finished.rate, null);
    assert.equal(finished.etaSeconds, null);
  });

  it('makes keys on the station and seals each to an EC recipient: openssl cms recovers a key that matches its certificate', async () => {
    const work = path.join(dir, 'cms');
    mkdirSync(work);
    const { keyFile: recipientKey, certFile: recipientCert } = makeRecipient(work);
    const csv = path.join(work, 'devices.csv');
    writeFileSync(csv, 'device_name,description,attr.serial\nkey-1,first,K1\nkey-2,second,K2\nkey-3,third,K3\n');
    const job = await createJob(station, csv, {
      kind: 'certificates-managed',
      groupId,
      policyId,
      keySource: 'station',
      delivery: 'cms',
      recipientPem: readFileSync(recipientCert, 'utf8'),
    });
    assert.equal(job.state, 'validated', JSON.stringify(job));
    const done = await runJob(station, job.id);
    assertCounts(done, { done: 3 });
    const out = await unpackResult(station, job.id, work);
    for (const name of ['key-1', 'key-2', 'key-3']) {
      const folder = path.join(out, name);
      const {
        keyPem,
        keyPublic: fromKey,
        certificatePublic: fromCert,
      } = openSealedKey(folder, {
        certFile: recipientCert,
        keyFile: recipientKey,
      });
      assert.match(keyPem, /^-----BEGIN PRIVATE KEY-----/);
      assert.equal(fromKey, fromCert, `${name}: the key matches its certificate`);
      assert.equal(verify(path.join(folder, 'certificate.pem')), `${path.join(folder, 'certificate.pem')}: OK`);
    }
    // Managed: each row made its device record, which the certificate belongs to.
    const devices = await call(station, 'devices.list', { groupId, limit: 10 });
    assert.deepEqual(devices.items.map((d) => d.name).sort(), ['key-1', 'key-2', 'key-3']);
    // No private key in clear anywhere in the station's data folder.
    const files = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(path.join(d, e.name)) : [path.join(d, e.name)],
      );
    for (const file of files(path.join(dir, 'station'))) {
      assert.ok(!readFileSync(file).includes('BEGIN PRIVATE KEY'), `clear key in ${file}`);
    }
  });

  it('delivers PKCS#12 files that openssl opens with the passcode, and asks for the passcode again to run', async () => {
    const work = path.join(dir, 'p12');
    mkdirSync(work);
    const csv = path.join(work, 'devices.csv');
    writeFileSync(csv, 'device_name,attr.serial\np12-1,P1\np12-2,P2\n');
    const job = await createJob(station, csv, {
      kind: 'certificates-unmanaged',
      policyId,
      keySource: 'station',
      delivery: 'pkcs12',
    });
    const noPasscode = await station.dispatch('jobs.start', { id: job.id }, (await import('../helpers/pki')).admin);
    assert.equal(noPasscode.ok ? 'ok' : noPasscode.error.code, 'INVALID_INPUT');
    const done = await runJob(station, job.id, { passcode: 'factory-passcode-1' });
    assertCounts(done, { done: 2 });
    const out = await unpackResult(station, job.id, work);
    const p12 = path.join(out, 'p12-1', 'key.p12');
    const opened = openssl(['pkcs12', '-in', p12, '-passin', 'pass:factory-passcode-1', '-nodes']);
    assert.match(opened, /BEGIN PRIVATE KEY/);
    assert.match(opened, /subject=CN\s*=\s*P1/);
  });

  it('reports each bad row with its line and reason, starts only with them skipped, and issues nothing for them', async () => {
    const work = path.join(dir, 'bad-rows');
    mkdirSync(work);
    const good = makeCsr(work, 'good', 'P-256').csrPem.trim();
    const weak = makeCsr(work, 'weak', 'RSA-1024').csrPem.trim();
    const csv = path.join(work, 'mixed.csv');
    writeFileSync(
      csv,
      [
        'device_name;csr;attr.serial',
        `ok-1;"${good}";S1`,
        `"bad/name\nwith newline";"${good}";S2`,
        `ok-1;"${good}";S3`,
        `weak-1;"${weak}";S4`,
        'garbage-1;not a csr;S5',
        `no-serial;"${good}";`,
        '',
      ].join('\n'),
    );
    const job = await createJob(station, csv, { kind: 'certificates-unmanaged', policyId, keySource: 'csv' });
    const problems = await call(station, 'jobs.problems', { id: job.id });
    assertCounts(job, { total: 6, pending: 1, invalid: 5 });
    const byLine = Object.fromEntries(problems.map((p) => [p.line, p.code]));
    assert.match(problems[0]?.message ?? '', /line breaks/);
    const goodLines = good.split('\n').length;
    // Physical lines, as an editor shows them: the quoted newline and the multi-line CSRs count.
    assert.equal(problems[0]?.line, 2 + goodLines);
    assert.ok(Object.values(byLine).includes('DEVICE_NAME_TAKEN'), JSON.stringify(problems));
    assert.ok(Object.values(byLine).includes('KEY_TYPE_NOT_ALLOWED'), JSON.stringify(problems));
    assert.ok(
      Object.values(byLine).includes('PEM_INVALID') || Object.values(byLine).includes('CSR_INVALID'),
      JSON.stringify(problems),
    );
    assert.ok(Object.values(byLine).includes('TEMPLATE_VALUE_MISSING'), JSON.stringify(problems));
    const before = (station.db.prepare('SELECT COUNT(*) AS n FROM certificates').get() as { n: number }).n;
    const refused = await station.dispatch('jobs.start', { id: job.id }, (await import('../helpers/pki')).admin);
    assert.equal(refused.ok ? 'ok' : refused.error.code, 'JOB_HAS_INVALID_ROWS');
    const done = await runJob(station, job.id, { skipInvalid: true });
    assertCounts(done, { done: 1, skipped: 5 });
    const afterCount = (station.db.prepare('SELECT COUNT(*) AS n FROM certificates').get() as { n: number }).n;
    assert.equal(afterCount, before + 1);
  });

  it('rejects a whole input for a missing or unknown column, a wrong encoding or a wrong delimiter, creating nothing', async () => {
    const work = path.join(dir, 'bad-files');
    mkdirSync(work);
    const cases: [string, string | Buffer, RegExp][] = [
      ['no-name.csv', 'name,csr\nx,y\n', /no device_name column/],
      ['extra.csv', 'device_name,csr,colour\nx,y,z\n', /Unknown column\(s\): colour/],
      ['latin1.csv', Buffer.from('device_name,csr\nger\xe4t,y\n', 'latin1'), /not valid UTF-8/],
      ['utf16-nobom.csv', Buffer.from('device_name,csr\nx,y\n', 'utf16le'), /UTF-16 without a byte-order mark/],
      ['colon.csv', 'device_name:csr\nx:y\n', /one column/],
      ['empty.csv', '', /empty|no rows/],
    ];
    for (const [name, content, message] of cases) {
      const file = path.join(work, name);
      writeFileSync(file, content);
      const job = await createJob(station, file, { kind: 'certificates-unmanaged', policyId, keySource: 'csv' });
      assert.equal(job.state, 'rejected', name);
      assert.equal(job.problem?.code, 'JOB_INPUT_INVALID', name);
      assert.match(job.problem?.message ?? '', message, name);
      assertCounts(job, { total: 0 });
    }
    // UTF-16 with its byte-order mark is read.
    const utf16 = path.join(work, 'utf16.csv');
    const csr = makeCsr(work, 'u16', 'P-256').csrPem.trim();
    writeFileSync(
      utf16,
      Buffer.concat([
        Buffer.from([0xff, 0xfe]),
        Buffer.from(`device_name,csr,attr.serial\nu16-1,"${csr}",U1\n`, 'utf16le'),
      ]),
    );
    const job = await createJob(station, utf16, { kind: 'certificates-unmanaged', policyId, keySource: 'csv' });
    assertCounts(job, { total: 1, pending: 1 });
  });

  it('reads a template saved with CRLF and rows appended with LF as one record per line', async () => {
    const work = path.join(dir, 'mixed-eol');
    mkdirSync(work);
    const csr = makeCsr(work, 'eol', 'P-256').csrPem.trim();
    const file = path.join(work, 'mixed.csv');
    writeFileSync(
      file,
      `device_name,csr,attr.serial\r\neol-1,"${csr}",E1\neol-2,"${csr.replaceAll('\n', '\r\n')}",E2\n`,
    );
    const job = await createJob(station, file, { kind: 'certificates-unmanaged', policyId, keySource: 'csv' });
    assertCounts(job, { total: 2, pending: 2, invalid: 0 });
  });

  it('registers devices from a CSV, refusing names already in the group', async () => {
    const work = path.join(dir, 'register');
    mkdirSync(work);
    await call(station, 'devices.register', { name: 'reg-2', groupId });
    const csv = path.join(work, 'devices.csv');
    writeFileSync(
      csv,
      'device_name,description,attr.mac\nreg-1,first,00:11:22:33:44:01\nreg-2,taken,00:11:22:33:44:02\nreg-3,,00:11:22:33:44:03\n',
    );
    const job = await createJob(station, csv, { kind: 'register-devices', groupId });
    assertCounts(job, { total: 3, pending: 2, invalid: 1 });
    const done = await runJob(station, job.id, { skipInvalid: true });
    assertCounts(done, { done: 2, skipped: 1 });
    const listed = await call(station, 'devices.list', { groupId, search: 'reg-', limit: 10 });
    const reg1 = listed.items.find((d) => d.name === 'reg-1');
    assert.equal(reg1?.attributes.mac, '00:11:22:33:44:01');
  });

  it('fails only the row whose name was taken after validation; the rest of its page registers, each audited', async () => {
    const work = path.join(dir, 'register-race');
    mkdirSync(work);
    const csv = path.join(work, 'devices.csv');
    const names = Array.from({ length: 40 }, (_, i) => `race-${i + 1}`);
    writeFileSync(csv, `device_name,attr.serial\n${names.map((name, i) => `${name},R${i + 1}`).join('\n')}\n`);
    const job = await createJob(station, csv, { kind: 'register-devices', groupId });
    assertCounts(job, { total: 40, pending: 40, invalid: 0 });
    // Registered by hand between validation and the run: the page with race-17 is refused once.
    await call(station, 'devices.register', { name: 'race-17', groupId });
    const auditBefore = station.db
      .prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'device.register'")
      .get() as {
      n: number;
    };
    const done = await runJob(station, job.id);
    assertCounts(done, { done: 39, failed: 1 });
    const failed = station.db
      .prepare("SELECT line, error_code AS code FROM job_rows WHERE job_id = ? AND status = 'failed'")
      .all(job.id);
    assert.deepEqual(failed, [{ line: 18, code: 'DEVICE_NAME_TAKEN' }]);
    const listed = await call(station, 'devices.list', { groupId, search: 'race-', limit: 100 });
    assert.equal(listed.items.length, 40);
    assert.equal(listed.items.find((d) => d.name === 'race-40')?.attributes.serial, 'R40');
    const auditAfter = station.db
      .prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'device.register'")
      .get() as {
      n: number;
    };
    assert.equal(auditAfter.n - auditBefore.n, 39);
    assert.equal(verifyAuditLog(station.db).ok, true);
  });
});

describe('batch jobs from a ZIP of CSR files', () => {
  let station: Station;
  const dir = tempDir();
  let policyId: string;
  let ca: TestCa;

  before(async () => {
    station = openStation(path.join(dir, 'station'), { keyStore: { pin: '1234' } });
    ca = await setUpCa(station, dir);
    policyId = (
      await call(station, 'policies.create', {
        preset: 'tls-client',
        body: {
          name: 'Zip devices',
          issuingCaId: ca.issuingId,
          keyGeneration: ['device-csr', 'station-generated'],
          // A bare CSR file carries no attributes: the certificate takes the CSR's own CN.
          subject: [{ type: 'CN', value: '{csr.CN}' }],
        },
      })
    ).id;
  });
  after(() => station.close());
  const verify = (certFile: string) =>
    openssl(['verify', '-CAfile', ca.rootFile, '-untrusted', ca.chainFile, certFile]).trim();

  async function zipOf(name: string, entries: [string, Buffer][]): Promise<string> {
    const file = path.join(dir, name);
    const zip = new ZipWriter(createWriteStream(file));
    for (const [entry, content] of entries) await zip.add(entry, content);
    await zip.finish();
    return file;
  }

  it('issues one certificate per CSR file (PEM or DER), named after the file, and refuses folders and oversized entries', async () => {
    const pem = makeCsr(dir, 'zip-a', 'P-256', '/CN=zip-a');
    const der = makeCsr(dir, 'zip-b', 'P-256', '/CN=zip-b');
    const derFile = path.join(dir, 'zip-b.der');
    openssl(['req', '-in', der.csrFile, '-outform', 'DER', '-out', derFile]);
    // A CSR-shaped name hiding 10 MB of zeros: it would deflate to a few kilobytes.
    const bomb = Buffer.alloc(10 * 1024 * 1024);
    const file = await zipOf('csrs.zip', [
      ['zip-a.csr', Buffer.from(pem.csrPem)],
      ['zip-b.der', readFileSync(derFile)],
      ['nested/zip-c.csr', Buffer.from(pem.csrPem)],
      ['bomb.csr', bomb],
    ]);
    const job = await createJob(station, file, { kind: 'certificates-unmanaged', policyId, keySource: 'zip' });
    assert.equal(job.state, 'validated', JSON.stringify(job));
    const problems = await call(station, 'jobs.problems', { id: job.id });
    assert.deepEqual(
      problems.map((p) => [p.name, p.code]),
      [
        ['zip-c', 'INVALID_INPUT'],
        ['bomb', 'INVALID_INPUT'],
      ],
    );
    assert.match(problems[0]?.message ?? '', /inside a folder/);
    assert.match(problems[1]?.message ?? '', /unpacks to 10485760 bytes/);
    assertCounts(job, { total: 4, invalid: 2, pending: 2 });
    const done = await runJob(station, job.id, { skipInvalid: true });
    assertCounts(done, { done: 2, skipped: 2 });
    const out = await unpackResult(station, job.id, dir);
    for (const name of ['zip-a', 'zip-b']) {
      const cert = path.join(out, name, 'certificate.pem');
      assert.match(openssl(['x509', '-in', cert, '-noout', '-subject']), new RegExp(`CN\\s*=\\s*${name}`));
      assert.equal(verify(cert), `${cert}: OK`);
    }
  });

  it('refuses a recipient certificate without a usable key before reading the input', async () => {
    const keyFile = path.join(dir, 'ed.key');
    const certFile = path.join(dir, 'ed.pem');
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ed25519',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      '/CN=ed',
      '-days',
      '3',
    ]);
    const csv = path.join(dir, 'ed.csv');
    writeFileSync(csv, 'device_name,attr.serial\ned-1,E1\n');
    const uploadId = await station.jobs.stageFile(csv);
    const jobsBefore = (station.db.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n;
    const refused = await station.dispatch(
      'jobs.create',
      {
        uploadId,
        inputName: 'ed.csv',
        options: {
          kind: 'certificates-unmanaged',
          policyId,
          keySource: 'station',
          delivery: 'cms',
          recipientPem: readFileSync(certFile, 'utf8'),
        },
      },
      admin,
    );
    assert.equal(refused.ok ? 'ok' : refused.error.code, 'RECIPIENT_UNUSABLE');
    const jobsAfter = (station.db.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n;
    assert.equal(jobsAfter, jobsBefore, 'no job made');
  });
});
