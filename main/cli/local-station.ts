import { type CallContext, localOperatorContext } from '../core/api/call-context';
import { openStation, type Station } from '../core/station';
import { resolveDataDir } from '../core/store/data-dir';

/** Options every data command takes. */
export const dataOptions = {
  data: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** Opens the station on the chosen data folder for one command, and always closes it. */
export async function withLocalStation<T>(
  dataFlag: string | undefined,
  run: (station: Station, ctx: CallContext) => T | Promise<T>,
): Promise<T> {
  const station = openStation(resolveDataDir({ flag: dataFlag }));
  try {
    return await run(station, localOperatorContext());
  } finally {
    station.close();
  }
}
