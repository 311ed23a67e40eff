import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ResourceLimits, Worker } from 'node:worker_threads';

/**
 * Each thread is a V8 heap of its own, whose young generation otherwise grows to V8's default
 * (tens of MiB) under a steady stream of messages; these threads keep little alive between
 * messages, so a small one costs a few more short collections and saves that memory per thread
 * (measured with npm run bench -- batch: about 25 MiB less at the peak of a 100,000-row job).
 */
const resourceLimits: ResourceLimits = { maxYoungGenerationSizeMb: 4 };

/**
 * Starts the worker thread `name` (e.g. "certificate-recorder.worker") that sits beside the
 * module at `callerUrl` (its import.meta.url): the built .js file beside the bundle, or in the
 * sources (tests, tsx) the .ts file. scripts/build.mjs puts every worker's file beside each bundle.
 */
export function startWorker(callerUrl: string, name: string, workerData: unknown): Worker {
  const source = new URL(`./${name}.ts`, callerUrl);
  if (!existsSync(fileURLToPath(source))) {
    return new Worker(new URL(`./${name}.js`, callerUrl), { workerData, resourceLimits });
  }
  // From the sources the worker must load TypeScript too: Node 20 does not hand the parent's
  // --import hooks to a worker's entry module, so the worker registers tsx itself.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); })`;
  return new Worker(boot, { eval: true, workerData, resourceLimits });
}
