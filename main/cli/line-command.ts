import { parseArgs } from 'node:util';
import type { LineRun } from '../../preload/contract';
import type { DeviceResult } from '../core/line/line-controller';
import { keyStoreFlags, keyStoreOptions, withLocalStation, dataOptions } from './local-station';
import { exitCodes, parseAttributes, printList, unwrap, UsageError } from './output';
import { resolveRecipe } from './recipe-command';
import { positiveInteger } from './sim-command';
import { untilStopped } from './until-stopped';

export const lineUsage = `trustline line run --recipe NAME [--ports PATH,PATH…] [--count N] [--lot LOT] [--attr KEY=VALUE …] [--pin-file FILE] [--json]
    (runs the recipe's flow without a UI until N devices have finished, or until Ctrl-C; one line per device,
     JSON with --json; exit code 1 when any device FAILed)
trustline line runs [--json]`;

/** One line per device, for fixtures driven by automation. */
export function deviceLine(result: DeviceResult): Record<string, unknown> {
  const { outcome } = result;
  const base = {
    port: result.port,
    index: result.index,
    serialNumber: result.serialNumber,
    result: outcome.kind,
    provisioningId: outcome.provisioningId,
    durationMs: result.durationMs,
  };
  return outcome.kind === 'pass'
    ? { ...base, certificateSerial: outcome.certificateSerial, alreadyProvisioned: outcome.alreadyProvisioned }
    : { ...base, ...outcome.failure };
}

function humanLine(result: DeviceResult): string {
  const { outcome } = result;
  const head = `port ${result.index}  ${result.serialNumber}  ${outcome.kind.toUpperCase()}  ${(result.durationMs / 1000).toFixed(2)} s`;
  if (outcome.kind === 'pass') {
    return `${head}  certificate ${outcome.certificateSerial}${outcome.alreadyProvisioned ? '  (already provisioned)' : ''}`;
  }
  return `${head}  ${outcome.failure.code} at ${outcome.failure.step}: ${outcome.failure.message}\n    remedy: ${outcome.failure.remedy}`;
}

export async function lineCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      ...dataOptions,
      ...keyStoreFlags,
      recipe: { type: 'string' },
      ports: { type: 'string' },
      count: { type: 'string' },
      lot: { type: 'string' },
      attr: { type: 'string', multiple: true },
    },
  });
  if (sub === 'runs') {
    await withLocalStation(values.data, async (station, ctx) => {
      const runs = unwrap<LineRun[]>(await station.dispatch('line.runs', {}, ctx));
      if (runs) {
        printList(
          values.json,
          runs,
          'No line runs yet.',
          ['LOT', 'RECIPE', 'STARTED', 'STOPPED', 'PASS', 'FAIL', 'ID'],
          (r) => [r.lot, r.recipeName, r.startedAt, r.stoppedAt ?? '(open)', String(r.passed), String(r.failed), r.id],
        );
      }
    });
    return;
  }
  if (sub !== 'run') throw new UsageError(`unknown line command "${sub ?? ''}"`);
  if (!values.recipe) throw new UsageError('line run needs --recipe NAME');
  const count = values.count === undefined ? null : positiveInteger('--count', values.count);
  const ports = values.ports
    ?.split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const labels = parseAttributes(values.attr ?? []);
  await withLocalStation(
    values.data,
    async (station, ctx) => {
      const recipe = await resolveRecipe(station, ctx, values.recipe as string);
      if (!recipe) return;
      // Headless fixtures have no scanner: every scanned attribute must be given once for all devices.
      const missing = recipe.operatorAttributes.filter((a) => labels[a.key] === undefined);
      if (missing.length > 0) {
        throw new UsageError(
          `the recipe asks the operator for ${missing.map((a) => a.key).join(', ')}: give --attr KEY=VALUE for each`,
        );
      }
      // The key store is opened up front: a wrong PIN fails here, not on the first device.
      await station.keys.require('line-run');
      let finished = 0;
      let failed = 0;
      let reached: () => void = () => undefined;
      const enough = new Promise<void>((resolve) => (reached = resolve));
      station.line.onDevice((result) => {
        process.stdout.write(`${values.json ? JSON.stringify(deviceLine(result)) : humanLine(result)}\n`);
        if (result.outcome.kind === 'pass' && result.outcome.alreadyProvisioned) return;
        finished++;
        if (result.outcome.kind === 'fail') failed++;
        if (count !== null && finished >= count) reached();
      });
      const started = await station.dispatch(
        'line.start',
        {
          recipeId: recipe.id,
          ...(values.lot ? { lot: values.lot } : {}),
          ...(ports ? { ports } : {}),
          ...(Object.keys(labels).length > 0 ? { labels } : {}),
        },
        ctx,
      );
      if (!started.ok) {
        unwrap(started);
        return;
      }
      const status = station.line.status();
      process.stderr.write(
        `line running: ${status.recipeName}, lot ${status.lot}, ${status.ports.length} port(s)${count === null ? '; Ctrl-C stops' : `; until ${count} device(s) finish`}\n`,
      );
      await Promise.race([enough, untilStopped()]);
      const stopped = await station.line.stop(ctx);
      process.stderr.write(
        `line stopped: ${finished - failed} passed, ${failed} failed (lot totals: ${stopped.counters.passed} passed, ${stopped.counters.failed} failed)\n`,
      );
      if (failed > 0) process.exitCode = exitCodes.stationError;
    },
    { keyStore: keyStoreOptions(values['pin-file']) },
  );
}
