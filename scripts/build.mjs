// Builds everything `trustline serve`, `npm start` and the Electron shell run:
// dist/cli.js, dist/electron/main.js, their worker threads' files beside them, dist/preload/preload.cjs (esbuild) and dist/renderer (Vite).
import { build as esbuild } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build as vite } from 'vite';

const workerEntries = JSON.parse(readFileSync('scripts/worker-entries.json', 'utf8'));

rmSync('dist', { recursive: true, force: true });

const node = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };

await Promise.all([
  esbuild({
    ...node,
    entryPoints: ['main/cli/trustline.ts'],
    outfile: 'dist/cli.js',
    format: 'esm',
    packages: 'external',
  }),
  // The certificate recorder, the station key pool and the CSR check pool run on threads of
  // their own, each from a file beside each bundle that starts it (scripts/worker-entries.json).
  ...['dist', 'dist/electron'].flatMap((dir) =>
    workerEntries.map((entry) =>
      esbuild({
        ...node,
        entryPoints: [entry],
        outfile: `${dir}/${path.basename(entry, '.ts')}.js`,
        format: 'esm',
        packages: 'external',
      }),
    ),
  ),
  esbuild({
    ...node,
    entryPoints: ['main/electron/main.ts'],
    outfile: 'dist/electron/main.js',
    format: 'esm',
    packages: 'external',
  }),
  // A sandboxed preload may only require('electron'): everything else (zod, the contract) is bundled in.
  esbuild({
    ...node,
    entryPoints: ['preload/electron.preload.ts'],
    outfile: 'dist/preload/preload.cjs',
    format: 'cjs',
    external: ['electron'],
  }),
]);

await vite({ configFile: 'scripts/vite.renderer.config.ts', logLevel: 'warn' });
console.log('built dist/');
