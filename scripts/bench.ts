// One entry for every benchmark: `npm run bench` (inventory) or `npm run bench -- NAME [options]`.
const [name = 'inventory'] = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const benches: Record<string, string> = { inventory: './bench-inventory.ts', issuance: './bench-issuance.ts' };
benches['device-link'] = './bench-device-link.ts';
benches['line'] = './bench-line.ts';
benches['batch'] = './bench-batch.ts';
benches['sync'] = './bench-sync.ts';
const file = benches[name];
if (!file) {
  console.error(`unknown bench "${name}"; choose one of: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
await import(file);
export {};
