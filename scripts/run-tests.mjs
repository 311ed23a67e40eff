// Runs the tests of the given kinds (unit, integration, e2e) with Node's own test runner.
// Usage: node scripts/run-tests.mjs unit integration
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const kinds = process.argv.slice(2);
if (kinds.length === 0) {
  console.error('usage: node scripts/run-tests.mjs <unit|integration|e2e>...');
  process.exit(2);
}

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return /\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

const files = kinds.flatMap((kind) => testFiles(path.join('tests', kind))).sort();
if (files.length === 0) {
  console.error(`no test files under tests/{${kinds.join(',')}}: refusing to report success`);
  process.exit(1);
}

const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
