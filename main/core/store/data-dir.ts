import os from 'node:os';
import path from 'node:path';

/**
 * Where the station keeps its files: `--data DIR`, else TRUSTLINE_DATA, else the OS's
 * application-data folder (XDG on Linux, AppData on Windows, Application Support on macOS).
 */
export function resolveDataDir(
  options: {
    flag?: string | undefined;
    env?: NodeJS.ProcessEnv;
    platform?: NodeJS.Platform;
    home?: string;
  } = {},
): string {
  const env = options.env ?? process.env;
  if (options.flag) return path.resolve(options.flag);
  if (env.TRUSTLINE_DATA) return path.resolve(env.TRUSTLINE_DATA);
  const platform = options.platform ?? process.platform;
  const home = options.home ?? os.homedir();
  if (platform === 'win32') {
    return path.win32.join(env.APPDATA ?? path.win32.join(home, 'AppData', 'Roaming'), 'Trustline');
  }
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Trustline');
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'trustline');
}
