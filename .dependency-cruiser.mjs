/**
 * The layers of src and the libraries each may use, checked by `npm run lint` (dependency-cruiser).
 * docs/architecture.md draws exactly this; test/architecture/layers.test.ts holds the two together
 * and shows a back-edge failing. Type-only imports count like any other: a type pulled from a
 * higher layer couples the lower one to it all the same.
 */

/** Each folder of src (and the composition root src/main.ts) and the folders it may import besides itself. */
export const LAYERS = {
  core: [],
  config: ['core'],
  collect: ['core'],
  evaluate: ['core'],
  store: ['core'],
  schedule: ['core'],
  controls: ['core', 'evaluate'],
  score: ['core', 'evaluate'],
  history: ['core', 'controls', 'score', 'store:types'],
  report: ['core', 'config', 'controls', 'score', 'history', 'store:types'],
  scan: ['core', 'collect', 'evaluate', 'controls', 'score', 'store:types'],
  alerts: ['core', 'score', 'store:types'],
  demo: ['core', 'scan', 'store:types'],
  daemon: ['core', 'schedule', 'store:types'],
  server: ['core', 'controls', 'score', 'history', 'schedule', 'store:types'],
  main: ['core', 'config', 'collect', 'evaluate', 'controls', 'score', 'store', 'history', 'report', 'scan', 'alerts'],
  cli: ['core', 'config', 'collect', 'evaluate', 'controls', 'score', 'store', 'history', 'report', 'scan', 'alerts', 'schedule', 'demo', 'daemon', 'server', 'main'],
};

/**
 * Libraries that do I/O or carry a heavy runtime, and the only layers that may import them.
 * Every other package of `dependencies` (zod, yaml, commander...) and node built-in is free to all.
 */
export const OWNED_LIBRARIES = {
  pino: ['cli'],
  fs: ['config', 'collect', 'store', 'report', 'demo', 'main', 'cli'],
  'http, https': ['collect', 'demo', 'server'],
  knex: ['store'],
  pg: ['store'],
  sqlite3: ['store'],
  pdfkit: ['report'],
  // Graph layout for the PDF's network picture.
  '@dagrejs/dagre': ['report'],
  '@kubernetes/client-node': ['collect'],
  'node-cron': ['config', 'schedule'],
  // CEL: compiled where the configuration loads (custom controls), run where controls are judged.
  '@marcbachmann/cel-js': ['config', 'controls'],
  'prom-client': ['server'],
};

const pathOf = (layer) => (layer === 'main' ? '^src/main\\.ts$' : `^src/${layer}/`);
const anyOf = (layers) => layers.map(pathOf).join('|');

/** How a library's module shows in a dependency: a node built-in by its name (with or without `node:`), a package by its folder. */
function libraryPath(names) {
  const parts = names.split(', ').map((name) =>
    ['fs', 'http', 'https'].includes(name) ? `^(node:)?${name}(/promises)?$` : `(^|/)node_modules/${name}/`,
  );
  return parts.join('|');
}

function layerRule([layer, imports]) {
  const own = pathOf(layer);
  const full = imports.filter((i) => !i.endsWith(':types'));
  const typesOnly = imports.filter((i) => i.endsWith(':types')).map((i) => i.slice(0, -':types'.length));
  return [
    { from: { path: own }, to: { path: [own, ...full.map(pathOf)].join('|') } },
    ...(typesOnly.length > 0 ? [{ from: { path: own }, to: { path: anyOf(typesOnly), dependencyTypes: ['type-only'] } }] : []),
  ];
}

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  allowed: [
    ...Object.entries(LAYERS).flatMap(layerRule),
    // Node built-ins and the packages of `dependencies` (a devDependency is not installed in
    // production); the owned ones are narrowed by the forbidden rules below.
    { from: { path: '^src/' }, to: { dependencyTypes: ['npm', 'core'] } },
  ],
  allowedSeverity: 'error',
  forbidden: [
    ...Object.entries(OWNED_LIBRARIES).map(([library, owners]) => ({
      name: `only-${owners.join('-')}-import-${library.replace(/[^a-z]+/g, '-')}`,
      comment: `${library} belongs to ${owners.join(', ')}`,
      severity: 'error',
      from: { path: '^src/', pathNot: anyOf(owners) },
      to: { path: libraryPath(library) },
    })),
    {
      name: 'resolvable',
      comment: 'an import the cruiser cannot resolve would escape the layer rules',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Package exports as Node resolves them (vega-lite exports its entry under `default` only).
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
