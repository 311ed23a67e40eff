#!/usr/bin/env node
// The CLI runs from the build (npm run build) so that it starts fast and needs no dev tools.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('Trustline is not built yet: run `npm run build` first.\n');
  process.exit(2);
}
await import(entry.href);
