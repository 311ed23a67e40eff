import { parseArgs } from 'node:util';
import { verifyAuditLog } from '../core/audit/audit-log.repo';
import { dataOptions, withLocalStation } from './local-station';
import { exitCodes, UsageError } from './output';

export const auditUsage = 'trustline audit verify [--data DIR] [--head SEQ:HASH] [--json]';

export async function auditCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'verify') throw new UsageError(`unknown audit command "${sub ?? ''}"`);
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: { ...dataOptions, head: { type: 'string' } },
  });
  // A head noted earlier (printed by a previous verify, or held by the central server) is what
  // reveals a cut-off or rewritten tail.
  let expectedHead: { seq: number; hash: string } | undefined;
  if (values.head !== undefined) {
    const match = /^(\d+):([0-9a-f]{64})$/.exec(values.head);
    if (!match) throw new UsageError(`--head needs SEQ:HASH (64 hex digits), got "${values.head}"`);
    expectedHead = { seq: Number(match[1]), hash: match[2] ?? '' };
  }
  await withLocalStation(values.data, (station) => {
    const report = verifyAuditLog(station.db, expectedHead);
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (report.ok)
      process.stdout.write(
        `Audit log intact: ${report.entries} entries, head ${report.head ? `${report.head.seq}:${report.head.hash}` : '-'}\n`,
      );
    else {
      process.stdout.write(`Audit log TAMPERED: ${report.problems.length} problem(s) in ${report.entries} entries\n`);
      for (const p of report.problems) process.stdout.write(`  entry ${p.seq}: ${p.kind}\n`);
    }
    if (!report.ok) process.exitCode = exitCodes.stationError;
  });
}
