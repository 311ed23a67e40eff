import type { Result, StationErrorShape } from '../../preload/contract';

/** Exit codes scripts can rely on. */
export const exitCodes = { ok: 0, stationError: 1, usage: 2 } as const;

export class UsageError extends Error {}

export function printError(error: StationErrorShape): void {
  process.stderr.write(`error ${error.code}: ${error.message}\n`);
  for (const issue of error.issues ?? []) process.stderr.write(`  ${issue.path || '(input)'}: ${issue.message}\n`);
}

/** Unwraps a dispatcher result, printing the error and setting the exit code on failure. */
export function unwrap<T>(result: Result<unknown>): T | undefined {
  if (result.ok) return result.value as T;
  printError(result.error);
  process.exitCode = exitCodes.stationError;
  return undefined;
}

export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(headers)}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}

/** `--attr KEY=VALUE` pairs; only the first "=" splits, so values may contain "=". */
export function parseAttributes(pairs: string[]): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--attr needs KEY=VALUE, got "${pair}"`);
    attributes[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return attributes;
}

/** Prints `value` as JSON with --json, else the human line(s). */
export function printResult(json: boolean | undefined, value: unknown, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : human.endsWith('\n') ? human : `${human}\n`);
}

/** A list as JSON, as a table, or as a hint when there is nothing yet. */
export function printList<T>(
  json: boolean | undefined,
  items: T[],
  empty: string,
  headers: string[],
  row: (item: T) => string[],
): void {
  if (json) printResult(true, items, '');
  else if (items.length === 0) process.stdout.write(`${empty}\n`);
  else printTable(headers, items.map(row));
}

/** People name things; scripts may pass IDs. An exact ID wins, then a case-insensitive name. */
/**
 * The item a person names (or a script gives by ID) in a list call's result; a name that is not
 * there is a usage error pointing at the command that lists them.
 */
export function resolveNamed<T extends { id: string; name: string }>(
  listed: Result<unknown>,
  given: string,
  what: string,
  listCommand: string,
): T | undefined {
  const items = unwrap<T[]>(listed);
  if (!items) return undefined;
  const found = findByIdOrName(items, given);
  if (!found) throw new UsageError(`no ${what} named "${given}" (see ${listCommand})`);
  return found;
}

export function findByIdOrName<T extends { id: string; name: string }>(items: T[], given: string): T | undefined {
  return items.find((i) => i.id === given) ?? items.find((i) => i.name.toLowerCase() === given.toLowerCase());
}
