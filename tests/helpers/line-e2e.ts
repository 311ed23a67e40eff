import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { CreateRecipeInput } from '../../preload/contract';
import { openStation, type Station } from '../../main/core/station';
import { setUpLine, type TestLine } from './line';
import { type ServeProcess, startServe } from './serve-process';
import { seedAdmin } from './users';

export const E2E_PIN = '1234';

/**
 * Builds a station's data folder in this process (the test administrator, CA, policy, group,
 * recipe over `ports`), lets `more` do extra set-up (more recipes, a line run, more users), and
 * closes the station: SoftHSM2 serves one process per token folder, so `serve` may only open it
 * after this one let go.
 */
export async function prepareLineStation(
  dir: string,
  ports: string[],
  recipe: Partial<CreateRecipeInput> = {},
  more: (station: Station, line: TestLine) => Promise<void> = async () => undefined,
): Promise<{ dataDir: string; line: TestLine }> {
  const dataDir = path.join(dir, 'station');
  const work = path.join(dir, 'pki');
  mkdirSync(work, { recursive: true });
  const station = openStation(dataDir, { keyStore: { pin: E2E_PIN }, line: { pollMs: 50 } });
  try {
    await seedAdmin(station);
    const line = await setUpLine(station, work, ports, recipe);
    await more(station, line);
    return { dataDir, line };
  } finally {
    await station.close();
  }
}

/**
 * `trustline serve` like startServe, but with the key store PIN in its environment: the line
 * issues certificates from the first device on, with no one at the keyboard to unlock the store.
 */
export function startServeWithPin(dataDir: string): Promise<ServeProcess> {
  return startServe(dataDir, { env: { TRUSTLINE_HSM_PIN: E2E_PIN } });
}

export { openStationPage } from './sign-in-page';
