import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DeviceState } from '../../main/core/device/simulator/device-state';
import type { CreateRecipeInput, LineStatus, PortState, Recipe } from '../../preload/contract';
import type { Station } from '../../main/core/station';
import { call, setUpCa, type TestCa } from './pki';

export interface TestLine {
  ca: TestCa;
  policyId: string;
  groupId: string;
  recipe: Recipe;
}

/** A CA, a TLS-client policy, a device group and a recipe over `ports`. */
export async function setUpLine(
  station: Station,
  dir: string,
  ports: string[],
  recipe: Partial<CreateRecipeInput> = {},
): Promise<TestLine> {
  const ca = await setUpCa(station, dir);
  const policy = await call(station, 'policies.create', {
    preset: 'tls-client',
    body: {
      name: `Line devices ${path.basename(dir)}`,
      issuingCaId: ca.issuingId,
      keyGeneration: ['device-csr', 'station-generated'],
    },
  });
  const group = await call(station, 'deviceGroups.create', { name: 'Line 1' });
  const created = await call(station, 'recipes.create', {
    name: 'Sensor v2',
    groupId: group.id,
    policyId: policy.id,
    ports,
    ...recipe,
  });
  return { ca, policyId: policy.id, groupId: group.id, recipe: created };
}

/** Polls the line until `done` holds (or fails after `timeoutMs` naming what it saw). */
export async function waitForLine(
  station: Station,
  done: (status: LineStatus) => boolean,
  timeoutMs = 30_000,
): Promise<LineStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = station.line.status();
    if (done(status)) return status;
    if (Date.now() > deadline) {
      const tiles = status.ports.map((p) => `${p.index}:${p.state}${p.failure ? `(${p.failure.code})` : ''}`).join(' ');
      throw new Error(`the line did not get there in ${timeoutMs} ms; tiles: ${tiles}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const allIn =
  (...states: PortState[]) =>
  (status: LineStatus): boolean =>
    status.ports.length > 0 && status.ports.every((p) => states.includes(p.state));

/** Every board a (feeding) simulator ever made, as its state file says now. */
export function simulatedDeviceStates(stateDir: string, ports: number): DeviceState[] {
  const fed = path.join(stateDir, 'devices');
  const files = [
    ...Array.from({ length: ports }, (_, i) => path.join(stateDir, `port-${i + 1}`, 'device.json')),
    ...(existsSync(fed) ? readdirSync(fed) : []).map((name) => path.join(fed, name)),
  ];
  return files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as DeviceState);
}
