// Device inventory benchmark: 100,000 devices with 5 attributes each.
// Prints each figure with its ratio to a baseline measured in the same run, on the same machine:
//   insert  — registerDevices (validation + audit entry per device) vs. bare INSERTs of the same rows
//   list    — each query's page 1 vs. page 1 of the unfiltered list
// Usage: npm run bench [-- --devices N]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createDeviceGroup } from '../main/core/inventory/device-groups.repo';
import { listDevices, registerDevices } from '../main/core/inventory/devices.repo';
import { openDatabaseFile, openStationDatabase } from '../main/core/store/database';
import { migrate } from '../main/core/store/migrate';
import type { ListDevicesInput, RegisterDeviceInput } from '../preload/contract';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'inventory'),
  options: { devices: { type: 'string', default: '100000' } },
});
const count = Number(values.devices);
const ctx = { actor: 'bench' };
const dir = mkdtempSync(path.join(os.tmpdir(), 'trustline-bench-'));

function rows(groupIds: string[]): RegisterDeviceInput[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `dev-${String(i).padStart(6, '0')}`,
    description: i % 1000 === 0 ? 'golden sample' : '',
    groupId: groupIds[i % groupIds.length] ?? '',
    attributes: {
      serial: String(i).padStart(10, '0'),
      mac: `02:00:${[(i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff].map((b) => b.toString(16).padStart(2, '0')).join(':')}:00`,
      chip: `chip-${(i * 2654435761) % 4294967296}`,
      fw: `1.${i % 7}.0`,
      batch: `B${i % 10}`,
    },
  }));
}

const timeIt = (fn: () => unknown) => {
  const start = performance.now();
  fn();
  return performance.now() - start;
};

function median(fn: () => unknown, runs = 30): number {
  for (let i = 0; i < 3; i += 1) fn();
  const times = Array.from({ length: runs }, () => timeIt(fn)).sort((a, b) => a - b);
  return times[Math.floor(runs / 2)] ?? 0;
}

const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;

try {
  // Baseline: the same rows written with bare INSERTs, no validation, no audit chain.
  const baseDb = openDatabaseFile(path.join(dir, 'baseline.sqlite'));
  migrate(baseDb);
  baseDb.prepare("INSERT INTO device_groups (id, name, created_at, updated_at) VALUES ('g', 'G', 't', 't')").run();
  const baseRows = rows(['g']);
  const baseInsert = timeIt(() =>
    baseDb.transaction(() => {
      const device = baseDb.prepare(
        "INSERT INTO devices (id, name, description, group_id, created_at, updated_at) VALUES (?, ?, ?, 'g', 't', 't')",
      );
      const attribute = baseDb.prepare('INSERT INTO device_attributes (device_seq, key, value) VALUES (?, ?, ?)');
      baseRows.forEach((row, i) => {
        const { lastInsertRowid } = device.run(`id-${i}`, row.name, row.description);
        for (const [k, v] of Object.entries(row.attributes ?? {})) attribute.run(lastInsertRowid, k, v);
      });
    })(),
  );
  baseDb.close();

  const db = openStationDatabase(path.join(dir, 'station'));
  const groups = ['Line A', 'Line B', 'Line C', 'Line D'].map((name) => createDeviceGroup(db, { name }, ctx));
  const inputs = rows(groups.map((g) => g.id));
  const insert = timeIt(() => registerDevices(db, inputs, ctx));

  console.log(`Trustline inventory bench: ${count.toLocaleString('en')} devices x 5 attributes`);
  console.log(`  node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}`);
  console.log('');
  console.log(
    `insert  registerDevices       ${fmt(insert).padStart(10)}  (${Math.round(count / (insert / 1000))} devices/s)`,
  );
  console.log(
    `        baseline bare INSERTs ${fmt(baseInsert).padStart(10)}  ratio ${(insert / baseInsert).toFixed(2)}x`,
  );
  console.log('');

  const mid = inputs[Math.floor(count / 2)]?.attributes ?? {};
  const queries: [string, ListDevicesInput][] = [
    ['page 1, unfiltered (baseline)', { limit: 100 }],
    ['page 1, attribute mac=<one device>', { limit: 100, attribute: { key: 'mac', value: mid.mac ?? '' } }],
    ['page 1, attribute batch=B7 (10%)', { limit: 100, attribute: { key: 'batch', value: 'B7' } }],
    ['page 1, group + status', { limit: 100, groupId: groups[1]?.id, status: 'Enabled' }],
    ['page 1, search "golden"', { limit: 100, search: 'golden' }],
    ['page 1, search "dev-0" (all devices)', { limit: 100, search: 'dev-0' }],
    ['page 1, status Disabled (none)', { limit: 100, status: 'Disabled' }],
  ];
  const deepCursor = (() => {
    let page = listDevices(db, { limit: 500 });
    for (let i = 0; i < 100 && page.nextCursor; i += 1) page = listDevices(db, { limit: 500, cursor: page.nextCursor });
    return page.nextCursor ?? undefined;
  })();
  if (deepCursor) queries.push(['page at device 50,000 (cursor)', { limit: 100, cursor: deepCursor }]);

  let baseline = 0;
  console.log('list    query                                   median  ratio  total');
  for (const [label, query] of queries) {
    let total: number | null = 0;
    const ms = median(() => {
      total = listDevices(db, query).total;
    });
    if (baseline === 0) baseline = ms;
    console.log(
      `        ${label.padEnd(38)} ${fmt(ms).padStart(8)}  ${(ms / baseline).toFixed(2).padStart(5)}x  ${total ?? '(not counted)'}`,
    );
  }
  const rss = process.memoryUsage().rss / 1024 / 1024;
  console.log('');
  console.log(`memory  rss after run ${rss.toFixed(0)} MiB`);
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
