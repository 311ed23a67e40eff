import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const moduleUrl = new URL('../../main/core/runtime/heap-growth.ts', import.meta.url).href;

/**
 * In a process of its own (V8's flags are the process's): optionally caps the heap's growth, then
 * keeps a window of 200,000 objects alive while it allocates 3,000,000, so that every object
 * outlives the young generation and dies in the old one — the pattern of a long batch job. Returns
 * how many full collections that took and what limitHeapGrowth() answered.
 */
function fullCollections(options: { limit: boolean; nodeFlags?: string[] }): {
  majors: number;
  applied: boolean | null;
} {
  const script = `
    import { PerformanceObserver, constants } from 'node:perf_hooks';
    const { limitHeapGrowth } = await import(${JSON.stringify(moduleUrl)});
    const applied = ${options.limit} ? limitHeapGrowth() : null;
    let majors = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors += 1;
    }).observe({ entryTypes: ['gc'] });
    const window = new Array(200000);
    for (let n = 0; n < 3000000; n += 1) window[n % window.length] = { n, name: 'row-' + n, parts: [n] };
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.stdout.write(JSON.stringify({ majors, applied }));
  `;
  const out = execFileSync(
    process.execPath,
    [...(options.nodeFlags ?? []), '--import', 'tsx', '--input-type=module', '--eval', script],
    { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8' },
  );
  return JSON.parse(out) as { majors: number; applied: boolean | null };
}

describe('limitHeapGrowth', () => {
  it('makes V8 collect the old generation well before it has grown to several times its live size', () => {
    const own = fullCollections({ limit: false });
    const limited = fullCollections({ limit: true });
    assert.equal(limited.applied, true);
    // V8's own factor (up to 4) lets the garbage pile up between a few full collections; capped at
    // 1.5 it takes more than twice as many. If a Node upgrade dropped the flag, V8 would ignore it
    // silently and the counts would match.
    assert.ok(own.majors > 0, `the workload reaches the old generation (${own.majors} full collections)`);
    assert.ok(limited.majors >= 2 * own.majors, `${limited.majors} full collections capped against ${own.majors}`);
  });

  it('leaves a growth factor given on the command line alone', () => {
    const given = fullCollections({ limit: true, nodeFlags: ['--heap-growing-percent=300'] });
    assert.equal(given.applied, false);
    const own = fullCollections({ limit: false, nodeFlags: ['--heap-growing-percent=300'] });
    assert.ok(given.majors <= own.majors + 1, `${given.majors} full collections against ${own.majors}`);
  });
});
