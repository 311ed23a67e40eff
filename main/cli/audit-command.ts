import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AuditEntryView, AuditFilter, CallOutput } from '../../preload/contract';
import { verifyAuditLog } from '../core/audit/audit-log.repo';
import { dataOptions, withLocalStation } from './local-station';
import { exitCodes, printList, printResult, unwrap, UsageError } from './output';
import { positiveInteger } from './sim-command';

export const auditUsage = `trustline audit list [--actor TEXT] [--action TEXT] [--subject TEXT] [--from ISO] [--to ISO]
    [--limit N] [--before SEQ] [--data DIR] [--json]
trustline audit export --out FILE.csv [--actor TEXT] [--action TEXT] [--subject TEXT] [--from ISO] [--to ISO] [--data DIR] [--json]
  (newest first; text filters match anywhere, ignoring case; times like 2026-11-24T08:00:00Z; the export is audited too)
trustline audit verify [--data DIR] [--anchor SEQ:HASH] [--json]
trustline audit anchor [--data DIR] [--json]
  (anchor prints the log's head to keep elsewhere; verify --anchor proves nothing up to it was cut or rewritten)`;

/** The contract's page size limit; a larger --limit is fetched page by page. */
const pageMax = 500;

type AuditPage = CallOutput<'audit.list'>;
type AuditExport = CallOutput<'audit.export'>;

function auditFilter(values: Record<string, string | boolean | undefined>): AuditFilter {
  const filter: AuditFilter = {};
  for (const key of ['actor', 'action', 'subject', 'from', 'to'] as const) {
    const value = values[key];
    if (typeof value === 'string') filter[key] = value;
  }
  return filter;
}

async function auditListOrExport(sub: 'list' | 'export', args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      ...dataOptions,
      actor: { type: 'string' },
      action: { type: 'string' },
      subject: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
      before: { type: 'string' },
      out: { type: 'string' },
    },
  });
  // The station checks the filters (an ISO time that is not one is INVALID_INPUT naming the field).
  const filter = auditFilter(values);
  if (sub === 'export') {
    if (!values.out) throw new UsageError('audit export needs --out FILE.csv');
    if (values.limit !== undefined || values.before !== undefined) {
      throw new UsageError('audit export takes every matching entry: no --limit or --before');
    }
    const out = values.out;
    await withLocalStation(values.data, async (station, ctx) => {
      const exported = unwrap<AuditExport>(await station.dispatch('audit.export', filter, ctx));
      if (!exported) return;
      writeFileSync(out, exported.csv);
      printResult(
        values.json,
        { file: out, rows: exported.rows },
        `${out}: ${exported.rows} audit entr${exported.rows === 1 ? 'y' : 'ies'}`,
      );
    });
    return;
  }
  if (values.out !== undefined) throw new UsageError('audit list takes no --out (see audit export)');
  const limit = positiveInteger('--limit', values.limit, 100);
  let beforeSeq = values.before === undefined ? undefined : positiveInteger('--before', values.before);
  await withLocalStation(values.data, async (station, ctx) => {
    const entries: AuditEntryView[] = [];
    let more = false;
    while (entries.length < limit) {
      const page = unwrap<AuditPage>(
        await station.dispatch(
          'audit.list',
          {
            ...filter,
            limit: Math.min(pageMax, limit - entries.length),
            ...(beforeSeq === undefined ? {} : { beforeSeq }),
          },
          ctx,
        ),
      );
      if (!page) return;
      entries.push(...page.entries);
      more = page.nextBeforeSeq !== null;
      if (page.nextBeforeSeq === null || page.entries.length === 0) break;
      beforeSeq = page.nextBeforeSeq;
    }
    printList(
      values.json,
      entries,
      'No audit entries match.',
      ['SEQ', 'TIME', 'ACTOR', 'ACTION', 'SUBJECT', 'DETAILS'],
      (e) => [String(e.seq), e.time, e.actor, e.action, e.subject, e.details],
    );
    if (!values.json && more && entries.length > 0) {
      process.stderr.write(`More entries are older: --before ${entries[entries.length - 1]?.seq ?? ''}\n`);
    }
  });
}

/** SEQ:HASH, as `audit anchor` prints it. */
function parseAnchor(flag: string, value: string): { seq: number; hash: string } {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(value);
  if (!match) throw new UsageError(`${flag} needs SEQ:HASH (64 hex digits), got "${value}"`);
  return { seq: Number(match[1]), hash: match[2] ?? '' };
}

export async function auditCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'list' || sub === 'export') return auditListOrExport(sub, rest);
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
