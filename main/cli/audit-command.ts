import { parseArgs } from 'node:util';
import { verifyAuditLog } from '../core/audit/audit-log.repo';
import { dataOptions, withLocalStation } from './local-station';
import { exitCodes, UsageError } from './output';

export const auditUsage = 'trustline audit verify [--data DIR] [--json]';

export async function auditCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'verify') throw new UsageError(`unknown audit command "${sub ?? ''}"`);
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: dataOptions,
  });
  await withLocalStation(values.data, (station) => {
    const report = verifyAuditLog(station.db);
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (report.ok)
      process.stdout.write(`Audit log intact: ${report.entries} entries, head ${report.head?.hash ?? '-'}\n`);
    else {
      process.stdout.write(`Audit log TAMPERED: ${report.problems.length} problem(s) in ${report.entries} entries\n`);
      for (const p of report.problems) process.stdout.write(`  entry ${p.seq}: ${p.kind}\n`);
    }
    if (!report.ok) process.exitCode = exitCodes.stationError;
  });
}
