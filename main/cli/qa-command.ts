import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { LineRun, QaInspection, QaReport, QaVerdict } from '../../preload/contract';
import { dataOptions, withLocalStation } from './local-station';
import { printResult, unwrap, UsageError } from './output';
import { positiveInteger } from './sim-command';

export const qaUsage = `trustline qa inspect (--port PATH [--driver NAME] [--baud N] | --serial SERIAL)
    [--verdict pass|fail --technician NAME [--notes TEXT]] [--json]
trustline qa report --lot LOT --format csv|pdf --out FILE`;

const mark = (ok: boolean | null) => (ok === null ? '–' : ok ? '✓' : '✕');

function describeInspection(i: QaInspection): string {
  return [
    `${i.serialNumber}  ${i.ok ? 'all checks passed' : 'CHECKS FAILED'}  (${i.source}${i.lot ? `, lot ${i.lot}` : ''})`,
    ...(i.certificate
      ? [`  certificate ${i.certificate.serial}  ${i.certificate.subject}  until ${i.certificate.notAfter}`]
      : []),
    ...i.checks.map((c) => `  ${mark(c.ok)} ${c.name.padEnd(13)} ${c.detail}`),
  ].join('\n');
}

export async function qaCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      ...dataOptions,
      port: { type: 'string' },
      driver: { type: 'string' },
      baud: { type: 'string' },
      serial: { type: 'string' },
      verdict: { type: 'string' },
      technician: { type: 'string' },
      notes: { type: 'string' },
      lot: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
    },
  });
  await withLocalStation(values.data, async (station, ctx) => {
    if (sub === 'inspect') {
      if ((values.port === undefined) === (values.serial === undefined)) {
        throw new UsageError('qa inspect needs --port PATH or --serial SERIAL');
      }
      if (values.verdict !== undefined && values.technician === undefined) {
        throw new UsageError('a --verdict needs the --technician who gives it');
      }
      const input =
        values.port !== undefined
          ? {
              port: values.port,
              ...(values.driver ? { driver: values.driver } : {}),
              ...(values.baud ? { baudRate: positiveInteger('--baud', values.baud) } : {}),
            }
          : { serialNumber: values.serial as string };
      const inspection = unwrap<QaInspection>(await station.dispatch('qa.inspect', input, ctx));
      if (!inspection) return;
      let verdict: QaVerdict | undefined;
      if (values.verdict !== undefined) {
        verdict = unwrap<QaVerdict>(
          await station.dispatch(
            'qa.recordVerdict',
            {
              inspectionId: inspection.id,
              verdict: values.verdict,
              technician: values.technician,
              ...(values.notes ? { notes: values.notes } : {}),
            },
            ctx,
          ),
        );
        if (!verdict) return;
      }
      printResult(
        values.json,
        { inspection, verdict: verdict ?? null },
        `${describeInspection(inspection)}${verdict ? `\nverdict ${verdict.verdict.toUpperCase()} by ${verdict.technician}` : ''}`,
      );
      if (!inspection.ok && !verdict) process.exitCode = 1;
      return;
    }
    if (sub === 'report') {
      if (!values.lot || !values.out || (values.format !== 'csv' && values.format !== 'pdf')) {
        throw new UsageError('qa report needs --lot LOT, --format csv|pdf and --out FILE');
      }
      const runs = unwrap<LineRun[]>(await station.dispatch('line.runs', {}, ctx));
      if (!runs) return;
      const run = runs.find((r) => r.lot === values.lot || r.id === values.lot);
      if (!run) throw new UsageError(`no line run with the lot "${values.lot}" (see trustline line runs)`);
      const report = unwrap<QaReport>(
        await station.dispatch('qa.report', { runId: run.id, format: values.format }, ctx),
      );
      if (!report) return;
      writeFileSync(values.out, Buffer.from(report.contentBase64, 'base64'));
      printResult(values.json, { file: values.out, rows: report.rows }, `${values.out}: ${report.rows} device(s)`);
      return;
    }
    throw new UsageError(`unknown qa command "${sub ?? ''}"`);
  });
}
