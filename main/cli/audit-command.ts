import { parseArgs } from 'node:util';
import { verifyAuditLog } from '../core/audit/audit-log.repo';
import { dataOptions, withLocalStation } from './local-station';
import { exitCodes, printResult, UsageError } from './output';

export const auditUsage = `trustline audit verify [--data DIR] [--anchor SEQ:HASH] [--json]
trustline audit anchor [--data DIR] [--json]
  (anchor prints the log's head to keep elsewhere; verify --anchor proves nothing up to it was cut or rewritten)`;

/** SEQ:HASH, as `audit anchor` prints it. */
function parseAnchor(flag: string, value: string): { seq: number; hash: string } {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(value);
  if (!match) throw new UsageError(`${flag} needs SEQ:HASH (64 hex digits), got "${value}"`);
  return { seq: Number(match[1]), hash: match[2] ?? '' };
}

export async function auditCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'verify' && sub !== 'anchor') throw new UsageError(`unknown audit command "${sub ?? ''}"`);
  const { values } = parseArgs({
    args: rest,
    strict: true,
    // --head is the earlier name of --anchor, kept for scripts that use it.
    options: { ...dataOptions, anchor: { type: 'string' }, head: { type: 'string' } },
  });
  if (sub === 'anchor' && (values.anchor !== undefined || values.head !== undefined)) {
    throw new UsageError('audit anchor takes no --anchor: it prints one');
  }
  // A head noted earlier (by `audit anchor`, or held by the central server) is what reveals a
  // cut-off or rewritten tail.
  const given = values.anchor ?? values.head;
  const expectedHead = given === undefined ? undefined : parseAnchor(values.anchor ? '--anchor' : '--head', given);
  await withLocalStation(values.data, (station) => {
    const report = verifyAuditLog(station.db, expectedHead);
    if (sub === 'anchor') {
      // An anchor of a log that is already broken would vouch for the tampering.
      if (!report.ok) {
        process.stderr.write('The audit log does not verify; run `trustline audit verify` first.\n');
        process.exitCode = exitCodes.stationError;
        return;
      }
      if (!report.head) {
        process.stderr.write('The audit log is empty: there is nothing to anchor yet.\n');
        process.exitCode = exitCodes.stationError;
        return;
      }
      const anchor = `${report.head.seq}:${report.head.hash}`;
      printResult(values.json, { anchor, entries: report.entries }, anchor);
      return;
    }
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (report.ok)
      process.stdout.write(
        `Audit log intact: ${report.entries} entries, head ${report.head ? `${report.head.seq}:${report.head.hash}` : '-'}\n`,
      );
    else {
      const [first] = report.problems;
      process.stdout.write(
        `Audit log TAMPERED: ${report.problems.length} problem(s) in ${report.entries} entries; the first broken link is entry ${first?.seq ?? '?'}\n`,
      );
      for (const p of report.problems) process.stdout.write(`  entry ${p.seq}: ${p.kind}\n`);
    }
    if (!report.ok) process.exitCode = exitCodes.stationError;
  });
}
