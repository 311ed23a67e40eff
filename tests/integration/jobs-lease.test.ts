// A batch job runs in one process while others open the same store (the CLI beside `serve`):
// they leave a job that a live process runs alone, a cancel from them reaches the running
// process, and a job whose process died is taken for interrupted at once.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createEventHub } from '../../main/core/events/event-hub';
import { createJobService } from '../../main/core/jobs/job-service';
import { openStation, type Station } from '../../main/core/station';
import { openStationDatabase } from '../../main/core/store/database';
import { createJob, csrCsv, runJob } from '../helpers/jobs';
import { admin, call, setUpCa } from '../helpers/pki';
import { tempDir } from '../helpers/temp-dir';

describe('a batch job seen from another process', () => {
  const dir = tempDir();
  const data = path.join(dir, 'station');
  let station: Station;
  let policyId: string;

  before(async () => {
    station = openStation(data, { keyStore: { pin: '1234' }, jobs: { leaseMs: 600 } });
    const ca = await setUpCa(station, dir);
    policyId = (
      await call(station, 'policies.create', {
        preset: 'tls-client',
        body: { name: 'Lease', issuingCaId: ca.issuingId, keyGeneration: ['device-csr'] },
      })
    ).id;
  });
  after(() => station.close());

  /** The other process: its own connection to the same store and its own job service. */
  const otherProcess = () => {
    const db = openStationDatabase(data);
    const jobs = createJobService({ db, dataDir: data, hub: createEventHub(), engine: station.issuance, leaseMs: 600 });
    return {
      db,
      jobs,
      close: async () => {
        await jobs.close();
        db.close();
      },
    };
  };
  const stateOf = (id: string) =>
    (station.db.prepare('SELECT state FROM jobs WHERE id = ?').get(id) as { state: string }).state;

  it('leaves a running job alone, and its cancel stops the rows the running process has not reached', async () => {
    const work = path.join(dir, 'cancel');
    mkdirSync(work);
    const job = await createJob(station, csrCsv(work, 3000), {
      kind: 'certificates-unmanaged',
      policyId,
      keySource: 'csv',
    });
    await call(station, 'jobs.start', { id: job.id, skipInvalid: false });
    const other = otherProcess();
    try {
      assert.equal(stateOf(job.id), 'running', 'opening the store elsewhere did not take the job for interrupted');
      const asked = other.jobs.cancel(job.id, admin);
      assert.equal(asked.state, 'running', 'the other process only asks');
      const settled = await station.jobs.settled(job.id);
      assert.equal(settled.state, 'cancelled');
      assert.ok(settled.counts.cancelled > 0, JSON.stringify(settled.counts));
      assert.equal(settled.counts.done + settled.counts.cancelled + settled.counts.failed, 3000);
      const audit = station.db
        .prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'job.cancel-requested' AND subject = ?")
        .get(job.id) as { n: number };
      assert.equal(audit.n, 1);
    } finally {
      await other.close();
    }
  });

  it('takes a job whose process died for interrupted at once, and it resumes', async () => {
    const work = path.join(dir, 'dead');
    mkdirSync(work);
    const job = await createJob(station, csrCsv(work, 5), {
      kind: 'certificates-unmanaged',
      policyId,
      keySource: 'csv',
    });
    // As a killed process leaves it: running, a fresh heartbeat, a PID that no longer exists.
    station.db
      .prepare("UPDATE jobs SET state = 'running', heartbeat_at = ?, runner_pid = 2147483646 WHERE id = ?")
      .run(new Date().toISOString(), job.id);
    const other = otherProcess();
    await other.close();
    assert.equal(stateOf(job.id), 'interrupted');
    const resumed = await runJob(station, job.id);
    assert.equal(resumed.state, 'completed');
    assert.equal(resumed.counts.done, 5);
  });
});
