// `npm start`: the desktop app where Electron's binary is installed, otherwise the same core
// served to a browser over loopback. Extra arguments go to either (e.g. `npm start -- --data DIR`).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);

function electronBinary() {
  try {
    // The electron package exports the binary's path, and throws when its download never happened.
    const binary = createRequire(import.meta.url)('electron');
    return typeof binary === 'string' ? binary : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const [command, commandArgs] = binary
  ? [binary, ['.', ...args]]
  : [process.execPath, ['bin/trustline.js', 'serve', ...args]];
if (!binary) console.log('Electron is not installed on this machine: serving Trustline to your browser instead.');
const child = spawn(command, commandArgs, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
