// ESLint rule: which folder may import which. The architecture is checked on every lint run,
// not remembered. A file's layer comes from its path; see `layers` below.
import { builtinModules } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/** First match wins: more specific prefixes come first. */
const layers = [
  { name: 'contract', prefix: 'preload/contract/' },
  { name: 'preload', prefix: 'preload/' },
  { name: 'renderer', prefix: 'renderer/' },
  { name: 'electron-shell', prefix: 'main/electron/' },
  { name: 'cli', prefix: 'main/cli/' },
  { name: 'core', prefix: 'main/' },
  { name: 'hsm', prefix: 'hsm/' },
  { name: 'sync-protocol', prefix: 'sync-protocol/' },
  { name: 'server', prefix: 'server/' },
];

/** Which layers each layer may import from, whether it may use Node's built-ins, and Electron. */
const policy = {
  contract: { imports: ['contract'], node: false, electron: false },
  preload: { imports: ['preload', 'contract'], node: false, electron: true },
  renderer: { imports: ['renderer', 'contract'], node: false, electron: false },
  core: { imports: ['core', 'contract', 'hsm', 'sync-protocol'], node: true, electron: false },
  // The one command line starts the station and the central server alike.
  cli: { imports: ['cli', 'core', 'contract', 'hsm', 'sync-protocol', 'server'], node: true, electron: false },
  'electron-shell': { imports: ['electron-shell', 'core', 'contract'], node: true, electron: true },
  hsm: { imports: ['hsm'], node: true, electron: false },
  // The wire contract between station and server: both import it, it imports neither.
  'sync-protocol': { imports: ['sync-protocol'], node: false, electron: false },
  // The central server knows the station only through the wire contract.
  server: { imports: ['server', 'sync-protocol'], node: true, electron: false },
};

const builtins = new Set(builtinModules);

export function layerOf(file) {
  const relative = path.relative(root, file).split(path.sep).join('/');
  // A bare folder import ("../preload/contract") resolves to its index: match it like a path inside.
  return layers.find((layer) => `${relative}/`.startsWith(layer.prefix))?.name ?? null;
}

function check(context, node, specifier) {
  if (typeof specifier !== 'string') return;
  const from = layerOf(context.filename);
  if (!from) return;
  const rules = policy[from];
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const target = layerOf(path.resolve(path.dirname(context.filename), specifier));
    if (target && !rules.imports.includes(target)) {
      context.report({ node, messageId: 'layer', data: { from, target, specifier } });
    }
    return;
  }
  const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  if (!rules.node && (specifier.startsWith('node:') || builtins.has(bare.split('/')[0]))) {
    context.report({ node, messageId: 'node', data: { from, specifier } });
  }
  if (!rules.electron && (specifier === 'electron' || specifier.startsWith('electron/'))) {
    context.report({ node, messageId: 'electron', data: { from } });
  }
}

export const importBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep each folder to the imports its process and layer allow.' },
    messages: {
      layer: '{{from}} may not import {{target}} ("{{specifier}}").',
      node: '{{from}} runs without Node: "{{specifier}}" is not available there.',
      electron: "{{from}} must not import 'electron': only main/electron and the preload may.",
    },
    schema: [],
  },
  create(context) {
    const fromSource = (node) => node.source && check(context, node.source, node.source.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => node.source.type === 'Literal' && check(context, node.source, node.source.value),
      CallExpression(node) {
        const [arg] = node.arguments;
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && arg?.type === 'Literal') {
          check(context, arg, arg.value);
        }
      },
    };
  },
};
