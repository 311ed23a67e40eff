import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export interface ServeProcess {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the built `trustline serve` on a data folder and resolves once it prints the URL to
 * open: the station's own signal that it is ready, not a guess at how long start-up takes.
 */
export async function startServe(
  dataDir: string,
  options: { env?: Record<string, string> } = {},
): Promise<ServeProcess> {
  const child: ChildProcess = spawn(process.execPath, ['bin/trustline.js', 'serve', '--data', dataDir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open (http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`trustline serve exited with ${code}:\n${output}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
